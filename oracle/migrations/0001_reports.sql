-- The oracle's record of every period it looked at, per operator key: what it decided, the
-- signed report, and where the submission stands. The primary key makes one report per feed,
-- period and key, so a period is never signed or submitted twice, even across restarts.
--
-- state: refused   the data failed a quality rule (reason_code, reason); terminal
--        pending   signed and stored, not yet sent (or sending failed transiently)
--        submitted sent; waiting for finalization (on restart: checked on chain, then resent)
--        included  in a finalized block (tx_hash, block_hash); terminal
--        failed    the chain rejected it (reason_code = pallet error), or its deadline passed;
--                  terminal
CREATE TABLE reports (
	feed INTEGER NOT NULL,
	period INTEGER NOT NULL,
	public_key TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('refused', 'pending', 'submitted', 'included', 'failed')),
	window_start INTEGER NOT NULL,
	window_end INTEGER NOT NULL,
	-- The KPI as a decimal before rounding, and the fixed-point value signed.
	kpi TEXT,
	value TEXT,
	payload_hash TEXT,
	devices_hash TEXT,
	-- The report with key and signature, as JSON (report::SignedReport).
	signed_report TEXT,
	reason_code TEXT,
	reason TEXT,
	tx_hash TEXT,
	block_hash TEXT,
	attempts INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (feed, period, public_key)
);

-- The readings a report was computed from, exactly as hashed into payload_hash (see
-- provenance.rs): the value and unit as read, and the value converted to the feed's unit.
CREATE TABLE readings (
	feed INTEGER NOT NULL,
	period INTEGER NOT NULL,
	public_key TEXT NOT NULL,
	attribute TEXT NOT NULL,
	observed_at INTEGER NOT NULL,
	value TEXT NOT NULL,
	unit TEXT NOT NULL,
	device TEXT NOT NULL,
	converted TEXT NOT NULL
);
CREATE INDEX readings_by_period ON readings (feed, period, public_key);

-- The broker's responses, byte for byte, for audit.
CREATE TABLE source_documents (
	feed INTEGER NOT NULL,
	period INTEGER NOT NULL,
	public_key TEXT NOT NULL,
	url TEXT NOT NULL,
	fetched_at TEXT NOT NULL,
	body TEXT NOT NULL
);
CREATE INDEX documents_by_period ON source_documents (feed, period, public_key);
