-- Changes of an application's state (enabled, disabled, deleted), one row per change,
-- keyed by the revision its transaction set: a replica reads only the changes after the
-- revision it last saw instead of every application (AppStates). Rows older than a day
-- are pruned by the writes themselves.
CREATE TABLE app_changes (
	rev BIGINT NOT NULL,
	realm TEXT COLLATE "C" NOT NULL,
	app_id TEXT COLLATE "C" NOT NULL,
	state SMALLINT NOT NULL, -- 1 enabled, 0 disabled, -1 deleted
	changed_at BIGINT NOT NULL
);
CREATE INDEX app_changes_realm_rev ON app_changes (realm, rev);
CREATE INDEX app_changes_changed_at ON app_changes (changed_at);

-- Application search (?q=: the name contains the text, case-insensitively): a trigram
-- index when the pg_trgm extension can be had (contrib installed, and the role may
-- create it or it exists already). Without it the search scans, as before; the query
-- is the same either way.
DO $$
BEGIN
	CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'pg_trgm is not available: application search scans (%)', SQLERRM;
END $$;
DO $$
BEGIN
	CREATE INDEX apps_name_fold_trgm ON apps USING gin (name_fold gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'no trigram index for application search (%)', SQLERRM;
END $$;
