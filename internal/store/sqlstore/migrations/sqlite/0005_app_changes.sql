-- Changes of an application's state (enabled, disabled, deleted), one row per change,
-- keyed by the revision its transaction set: a replica reads only the changes after the
-- revision it last saw instead of every application (AppStates). Rows older than a day
-- are pruned by the writes themselves.
CREATE TABLE app_changes (
	rev INTEGER NOT NULL,
	realm TEXT NOT NULL,
	app_id TEXT NOT NULL,
	state INTEGER NOT NULL, -- 1 enabled, 0 disabled, -1 deleted
	changed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX app_changes_realm_rev ON app_changes (realm, rev);
CREATE INDEX app_changes_changed_at ON app_changes (changed_at);

-- Application search (?q=: the name contains the text, case-insensitively): a trigram
-- index (FTS5) over the folded names, kept by triggers. It holds its own copy of the
-- name and the application id, not the apps table's rowid, which VACUUM may renumber.
-- Case-sensitive on folded text, queried with GLOB: FTS5 serves GLOB from the index
-- there, while LIKE with an ESCAPE clause would scan. Texts shorter than three
-- characters scan it, as LIKE scanned the table. The triggers find the row to delete
-- by its old name (through the index) and its application id.
CREATE VIRTUAL TABLE apps_name_fts USING fts5(name_fold, app_id UNINDEXED, tokenize = 'trigram case_sensitive 1');
INSERT INTO apps_name_fts (name_fold, app_id) SELECT name_fold, id FROM apps;
CREATE TRIGGER apps_name_fts_insert AFTER INSERT ON apps BEGIN
	INSERT INTO apps_name_fts (name_fold, app_id) VALUES (new.name_fold, new.id);
END;
CREATE TRIGGER apps_name_fts_delete AFTER DELETE ON apps BEGIN
	DELETE FROM apps_name_fts WHERE app_id = old.id
		AND name_fold GLOB replace(replace(replace(old.name_fold, '[', '[[]'), '*', '[*]'), '?', '[?]');
END;
CREATE TRIGGER apps_name_fts_rename AFTER UPDATE OF name_fold ON apps WHEN old.name_fold <> new.name_fold BEGIN
	DELETE FROM apps_name_fts WHERE app_id = old.id
		AND name_fold GLOB replace(replace(replace(old.name_fold, '[', '[[]'), '*', '[*]'), '?', '[?]');
	INSERT INTO apps_name_fts (name_fold, app_id) VALUES (new.name_fold, new.id);
END;
