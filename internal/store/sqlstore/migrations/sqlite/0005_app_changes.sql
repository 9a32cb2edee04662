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
