-- Web console sessions, shared by every replica. session_key is the hex SHA-256 of
-- the id the browser holds. reveal holds a new client secret, sealed under the master
-- key, for the one page that shows it. A deleted user's sessions go with them.
CREATE TABLE console_sessions (
	session_key TEXT COLLATE "C" PRIMARY KEY,
	realm TEXT COLLATE "C" NOT NULL REFERENCES realms (name),
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	username TEXT COLLATE "C" NOT NULL,
	created_at BIGINT NOT NULL,
	last_seen BIGINT NOT NULL,
	flash TEXT NOT NULL,
	reveal BYTEA
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
CREATE INDEX console_sessions_last_seen ON console_sessions (last_seen);
CREATE INDEX console_sessions_created ON console_sessions (created_at);
