-- The identity registry (pallet Identity): where roles for sign-in come from.

-- The current record of each identity. `block_number`/`event_index` is the event that last
-- wrote it; a write only applies when it comes later, so replaying a block changes nothing.
-- Genesis identities (no events at genesis) are read from storage at block 0, event index -1.
CREATE TABLE identities (
	account TEXT PRIMARY KEY,
	status TEXT NOT NULL,            -- Active | Suspended | Revoked
	roles BIGINT NOT NULL,           -- the pallet's role bits (Registrar 1, Issuer 2, Investor 4,
	                                 -- Auditor 8, OracleOperator 16, SettlementAgent 32)
	lei TEXT,
	jurisdiction TEXT NOT NULL,
	category TEXT,                   -- Retail | Professional | Institutional
	block_number BIGINT NOT NULL,
	event_index BIGINT NOT NULL
);

-- Claims (KYC, accreditation, residency, custom), one per identity and kind.
CREATE TABLE identity_claims (
	account TEXT NOT NULL,
	kind TEXT NOT NULL,
	registrar TEXT NOT NULL,
	expiry_ms BIGINT NOT NULL,
	revoked BIGINT NOT NULL,
	block_number BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	PRIMARY KEY (account, kind)
);
