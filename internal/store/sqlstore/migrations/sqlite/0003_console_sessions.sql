-- Web console sessions, shared by every replica. session_key is the hex SHA-256 of
-- the id the browser holds. reveal holds a new client secret, sealed under the master
-- key, for the one page that shows it. A deleted user's sessions go with them.
CREATE TABLE console_sessions (
	session_key TEXT PRIMARY KEY,
	realm TEXT NOT NULL REFERENCES realms (name),
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	username TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,
	flash TEXT NOT NULL,
	reveal BLOB
) STRICT;
CREATE INDEX console_sessions_user ON console_sessions (user_id);
CREATE INDEX console_sessions_last_seen ON console_sessions (last_seen);
CREATE INDEX console_sessions_created ON console_sessions (created_at);
