-- The indexer's position and the blocks it has written.
-- Portable SQL: the same file runs on SQLite and PostgreSQL (BIGINT and TEXT only; hashes,
-- accounts and keys are lowercase 0x-hex TEXT; amounts are TEXT holding integer minor units,
-- read as rust_decimal::Decimal; times are BIGINT milliseconds since the Unix epoch, UTC).

-- One row (id = 1): the last finalized block whose rows are all written. It is updated in the
-- same transaction as that block's rows, so it never runs ahead of or behind the data.
CREATE TABLE indexer_cursor (
	id BIGINT PRIMARY KEY,
	block_number BIGINT NOT NULL,
	block_hash TEXT NOT NULL,
	updated_at_ms BIGINT NOT NULL
);

-- Every indexed finalized block, with its timestamp (pallet_timestamp's `Now`).
CREATE TABLE blocks (
	number BIGINT PRIMARY KEY,
	hash TEXT NOT NULL UNIQUE,
	parent_hash TEXT NOT NULL,
	timestamp_ms BIGINT NOT NULL
);

-- Every event the indexer understood, as JSON, keyed by where it happened on chain: the
-- audit log the typed tables below are projections of.
CREATE TABLE events (
	block_number BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	extrinsic_index BIGINT,
	pallet TEXT NOT NULL,
	name TEXT NOT NULL,
	contract TEXT,
	fields TEXT NOT NULL,
	PRIMARY KEY (block_number, event_index)
);
CREATE INDEX events_by_name ON events (pallet, name);
