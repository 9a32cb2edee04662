-- People sign-in (OpenID Connect authorization code flow). Applications gain a type's
-- browser settings: root URL, redirect URIs, post-logout redirect URIs and web origins
-- (JSON lists). Single sign-on sessions and authorization codes are stored so that any
-- replica serves them; both are keyed by the hex SHA-256 of the random value the
-- browser or client holds, never by the value itself.
ALTER TABLE apps ADD COLUMN root_url TEXT NOT NULL DEFAULT '';
ALTER TABLE apps ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE apps ADD COLUMN post_logout_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE apps ADD COLUMN web_origins TEXT NOT NULL DEFAULT '[]';

CREATE TABLE sso_sessions (
	id_digest TEXT COLLATE "C" PRIMARY KEY,
	realm TEXT COLLATE "C" NOT NULL REFERENCES realms (name),
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	auth_time BIGINT NOT NULL,
	last_seen BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	ended_at BIGINT
);
CREATE INDEX sso_sessions_user ON sso_sessions (realm, user_id);
CREATE INDEX sso_sessions_expires ON sso_sessions (expires_at);

-- A code is redeemed once: used_at is set by the one UPDATE that finds it NULL.
-- replayed marks a second attempt; token_ids are the jti of every token issued
-- from the code, denied when a replay is seen (RFC 6749 §4.1.2).
CREATE TABLE auth_codes (
	code_digest TEXT COLLATE "C" PRIMARY KEY,
	realm TEXT COLLATE "C" NOT NULL REFERENCES realms (name),
	app_id TEXT COLLATE "C" NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	session_id TEXT COLLATE "C" NOT NULL,
	redirect_uri TEXT NOT NULL,
	challenge TEXT NOT NULL,
	nonce TEXT NOT NULL,
	scope TEXT NOT NULL,
	audiences TEXT NOT NULL,
	auth_time BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT,
	replayed BOOLEAN NOT NULL,
	token_ids TEXT NOT NULL
);
CREATE INDEX auth_codes_expires ON auth_codes (expires_at);
