-- Sign-in with a chain key: single-use challenges and sessions (tokens stored as SHA-256).

CREATE TABLE auth_challenges (
	nonce TEXT PRIMARY KEY,
	account TEXT NOT NULL,
	message TEXT NOT NULL,
	created_at_ms BIGINT NOT NULL,
	expires_at_ms BIGINT NOT NULL,
	used_at_ms BIGINT
);

CREATE TABLE auth_sessions (
	token_hash TEXT PRIMARY KEY,
	account TEXT NOT NULL,
	created_at_ms BIGINT NOT NULL,
	expires_at_ms BIGINT NOT NULL
);
