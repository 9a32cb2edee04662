-- Identity schema: realms, applications and secrets, APIs, grants, users,
-- signing keys, revocations, audit, clusters, meta and the revision counter.
-- Times are BIGINT unix milliseconds (UTC), NULL for "not set"; durations are
-- BIGINT milliseconds; lists and maps are JSON text. Text that is ordered or
-- compared uses COLLATE "C" (byte order), the order SQLite uses.

CREATE TABLE revision (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	value BIGINT NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);

CREATE TABLE meta (
	name TEXT COLLATE "C" PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE realms (
	name TEXT COLLATE "C" PRIMARY KEY,
	organization TEXT NOT NULL,
	signing_alg TEXT NOT NULL,
	token_lifetime_ms BIGINT NOT NULL,
	created_at BIGINT
);

CREATE TABLE apps (
	id TEXT COLLATE "C" PRIMARY KEY,
	realm TEXT COLLATE "C" NOT NULL REFERENCES realms (name),
	client_id TEXT COLLATE "C" NOT NULL,
	name TEXT COLLATE "C" NOT NULL,
	name_fold TEXT COLLATE "C" NOT NULL,
	type TEXT NOT NULL,
	enabled BOOLEAN NOT NULL,
	source TEXT NOT NULL,
	created_at BIGINT,
	updated_at BIGINT
);
CREATE UNIQUE INDEX apps_realm_client_id ON apps (realm, client_id);
CREATE INDEX apps_realm_name ON apps (realm, name, id);

CREATE TABLE app_secrets (
	app_id TEXT COLLATE "C" NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	id TEXT COLLATE "C" NOT NULL,
	pos INTEGER NOT NULL,
	kind TEXT NOT NULL,
	hash BYTEA NOT NULL,
	created_at BIGINT,
	expires_at BIGINT,
	PRIMARY KEY (app_id, id)
);

CREATE TABLE apis (
	id TEXT COLLATE "C" PRIMARY KEY,
	realm TEXT COLLATE "C" NOT NULL REFERENCES realms (name),
	name TEXT COLLATE "C" NOT NULL,
	audience TEXT COLLATE "C" NOT NULL,
	aliases TEXT NOT NULL,
	permissions TEXT NOT NULL,
	preset BOOLEAN NOT NULL,
	created_at BIGINT,
	updated_at BIGINT
);
CREATE UNIQUE INDEX apis_realm_audience ON apis (realm, audience);
CREATE INDEX apis_realm_name ON apis (realm, name, id);

CREATE TABLE grants (
	realm TEXT COLLATE "C" NOT NULL REFERENCES realms (name),
	app_id TEXT COLLATE "C" NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	api_id TEXT COLLATE "C" NOT NULL REFERENCES apis (id) ON DELETE CASCADE,
	permission TEXT COLLATE "C" NOT NULL,
	created_at BIGINT,
	PRIMARY KEY (app_id, api_id, permission)
);
CREATE INDEX grants_api ON grants (api_id, permission);
CREATE INDEX grants_realm ON grants (realm, app_id);

CREATE TABLE users (
	id TEXT COLLATE "C" PRIMARY KEY,
	realm TEXT COLLATE "C" NOT NULL REFERENCES realms (name),
	username TEXT COLLATE "C" NOT NULL,
	username_fold TEXT COLLATE "C" NOT NULL,
	email TEXT NOT NULL,
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	enabled BOOLEAN NOT NULL,
	roles TEXT NOT NULL,
	created_at BIGINT,
	updated_at BIGINT
);
CREATE UNIQUE INDEX users_realm_username ON users (realm, username);

CREATE TABLE signing_keys (
	realm TEXT COLLATE "C" NOT NULL REFERENCES realms (name),
	id TEXT COLLATE "C" NOT NULL,
	pos INTEGER NOT NULL,
	alg TEXT NOT NULL,
	state TEXT NOT NULL,
	public_key BYTEA NOT NULL,
	private_key BYTEA NOT NULL,
	created_at BIGINT,
	activated_at BIGINT,
	retired_at BIGINT,
	publish_until BIGINT,
	PRIMARY KEY (realm, id)
);

-- No foreign key to apps: a revoked token stays denied after its app is deleted.
CREATE TABLE revocations (
	jti TEXT COLLATE "C" PRIMARY KEY,
	realm TEXT COLLATE "C" NOT NULL REFERENCES realms (name),
	app_id TEXT NOT NULL,
	expires_at BIGINT,
	created_at BIGINT
);
CREATE INDEX revocations_expires_at ON revocations (expires_at);

CREATE TABLE audit (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	realm TEXT COLLATE "C" NOT NULL,
	occurred_at BIGINT,
	actor TEXT COLLATE "C" NOT NULL,
	action TEXT COLLATE "C" NOT NULL,
	target TEXT COLLATE "C" NOT NULL,
	outcome TEXT NOT NULL,
	detail TEXT NOT NULL
);
CREATE INDEX audit_realm ON audit (realm, id);
CREATE INDEX audit_action ON audit (action, id);
CREATE INDEX audit_occurred_at ON audit (occurred_at);

CREATE TABLE clusters (
	id TEXT COLLATE "C" PRIMARY KEY,
	realm TEXT COLLATE "C" NOT NULL REFERENCES realms (name),
	name TEXT COLLATE "C" NOT NULL,
	namespace TEXT NOT NULL,
	version TEXT NOT NULL,
	tags TEXT NOT NULL,
	components TEXT NOT NULL,
	source TEXT NOT NULL,
	created_at BIGINT,
	updated_at BIGINT
);
CREATE INDEX clusters_realm_name ON clusters (realm, name, id);
