-- Identity schema: realms, applications and secrets, APIs, grants, users,
-- signing keys, revocations, audit, clusters, meta and the revision counter.
-- Times are INTEGER unix milliseconds (UTC), NULL for "not set"; durations are
-- INTEGER milliseconds; lists and maps are JSON text.

CREATE TABLE revision (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	value INTEGER NOT NULL
) STRICT;
INSERT INTO revision (id, value) VALUES (1, 0);

CREATE TABLE meta (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE realms (
	name TEXT PRIMARY KEY,
	organization TEXT NOT NULL,
	signing_alg TEXT NOT NULL,
	token_lifetime_ms INTEGER NOT NULL,
	created_at INTEGER
) STRICT;

CREATE TABLE apps (
	id TEXT PRIMARY KEY,
	realm TEXT NOT NULL REFERENCES realms (name),
	client_id TEXT NOT NULL,
	name TEXT NOT NULL,
	name_fold TEXT NOT NULL,
	type TEXT NOT NULL,
	enabled INTEGER NOT NULL,
	source TEXT NOT NULL,
	created_at INTEGER,
	updated_at INTEGER
) STRICT;
CREATE UNIQUE INDEX apps_realm_client_id ON apps (realm, client_id);
CREATE INDEX apps_realm_name ON apps (realm, name, id);

CREATE TABLE app_secrets (
	app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	id TEXT NOT NULL,
	pos INTEGER NOT NULL,
	kind TEXT NOT NULL,
	hash BLOB NOT NULL,
	created_at INTEGER,
	expires_at INTEGER,
	PRIMARY KEY (app_id, id)
) STRICT;

CREATE TABLE apis (
	id TEXT PRIMARY KEY,
	realm TEXT NOT NULL REFERENCES realms (name),
	name TEXT NOT NULL,
	audience TEXT NOT NULL,
	aliases TEXT NOT NULL,
	permissions TEXT NOT NULL,
	preset INTEGER NOT NULL,
	created_at INTEGER,
	updated_at INTEGER
) STRICT;
CREATE UNIQUE INDEX apis_realm_audience ON apis (realm, audience);
CREATE INDEX apis_realm_name ON apis (realm, name, id);

CREATE TABLE grants (
	realm TEXT NOT NULL REFERENCES realms (name),
	app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	api_id TEXT NOT NULL REFERENCES apis (id) ON DELETE CASCADE,
	permission TEXT NOT NULL,
	created_at INTEGER,
	PRIMARY KEY (app_id, api_id, permission)
) STRICT;
CREATE INDEX grants_api ON grants (api_id, permission);
CREATE INDEX grants_realm ON grants (realm, app_id);

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	realm TEXT NOT NULL REFERENCES realms (name),
	username TEXT NOT NULL,
	username_fold TEXT NOT NULL,
	email TEXT NOT NULL,
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	enabled INTEGER NOT NULL,
	roles TEXT NOT NULL,
	created_at INTEGER,
	updated_at INTEGER
) STRICT;
CREATE UNIQUE INDEX users_realm_username ON users (realm, username);

CREATE TABLE signing_keys (
	realm TEXT NOT NULL REFERENCES realms (name),
	id TEXT NOT NULL,
	pos INTEGER NOT NULL,
	alg TEXT NOT NULL,
	state TEXT NOT NULL,
	public_key BLOB NOT NULL,
	private_key BLOB NOT NULL,
	created_at INTEGER,
	activated_at INTEGER,
	retired_at INTEGER,
	publish_until INTEGER,
	PRIMARY KEY (realm, id)
) STRICT;

-- No foreign key to apps: a revoked token stays denied after its app is deleted.
CREATE TABLE revocations (
	jti TEXT PRIMARY KEY,
	realm TEXT NOT NULL REFERENCES realms (name),
	app_id TEXT NOT NULL,
	expires_at INTEGER,
	created_at INTEGER
) STRICT;
CREATE INDEX revocations_expires_at ON revocations (expires_at);

CREATE TABLE audit (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	realm TEXT NOT NULL,
	occurred_at INTEGER,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	outcome TEXT NOT NULL,
	detail TEXT NOT NULL
) STRICT;
CREATE INDEX audit_realm ON audit (realm, id);
CREATE INDEX audit_action ON audit (action, id);
CREATE INDEX audit_occurred_at ON audit (occurred_at);

CREATE TABLE clusters (
	id TEXT PRIMARY KEY,
	realm TEXT NOT NULL REFERENCES realms (name),
	name TEXT NOT NULL,
	namespace TEXT NOT NULL,
	version TEXT NOT NULL,
	tags TEXT NOT NULL,
	components TEXT NOT NULL,
	source TEXT NOT NULL,
	created_at INTEGER,
	updated_at INTEGER
) STRICT;
CREATE INDEX clusters_realm_name ON clusters (realm, name, id);
