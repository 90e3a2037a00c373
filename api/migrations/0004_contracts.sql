-- ink! contracts (pallet Contracts): instantiations, green bonds and their decoded events.

-- Every instantiated contract; `kind` from its code hash: green_bond, cash_token or other.
CREATE TABLE contracts (
	address TEXT PRIMARY KEY,
	deployer TEXT NOT NULL,
	kind TEXT NOT NULL,
	code_hash TEXT,
	block_number BIGINT NOT NULL,
	event_index BIGINT NOT NULL
);

-- A green bond, from its BondCreated event, with its terms and coupon schedule read once by a
-- dry-run query in the block that created it (JSON, as the contract's metadata decodes them).
CREATE TABLE bonds (
	address TEXT PRIMARY KEY,
	issuer TEXT NOT NULL,
	isin TEXT NOT NULL,
	terms_hash TEXT NOT NULL,
	periods BIGINT NOT NULL,
	issue_size TEXT NOT NULL,
	terms TEXT,
	schedule TEXT,
	block_number BIGINT NOT NULL,
	event_index BIGINT NOT NULL
);

-- Events of green bonds and cash tokens, decoded from the bundles' metadata (JSON fields).
CREATE TABLE contract_events (
	block_number BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	extrinsic_index BIGINT,
	contract TEXT NOT NULL,
	contract_kind TEXT NOT NULL,
	name TEXT NOT NULL,
	fields TEXT NOT NULL,
	timestamp_ms BIGINT NOT NULL,
	PRIMARY KEY (block_number, event_index)
);
CREATE INDEX contract_events_by_contract ON contract_events (contract, name);
