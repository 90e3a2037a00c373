-- The KPI oracle (pallet KpiOracle): feeds, operators, signed reports and each KPI's history.

-- A feed's metadata (read from storage when it was created) and its rules.
CREATE TABLE kpi_feeds (
	feed_id BIGINT PRIMARY KEY,
	owner TEXT,
	description TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	attribute TEXT NOT NULL,
	unit TEXT NOT NULL,
	decimals BIGINT NOT NULL,
	first_start_ms BIGINT NOT NULL,
	period_ms BIGINT NOT NULL,
	quorum BIGINT NOT NULL,
	max_report_age_ms BIGINT NOT NULL,
	challenge_window_ms BIGINT NOT NULL,
	min_value TEXT NOT NULL,
	max_value TEXT NOT NULL,
	block_number BIGINT NOT NULL,
	event_index BIGINT NOT NULL
);

-- Operators' keys over time (OperatorAdded, KeyRotated) and retirements (key NULL).
CREATE TABLE kpi_operator_keys (
	block_number BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	feed_id BIGINT NOT NULL,
	operator TEXT NOT NULL,
	operator_key TEXT,
	from_period BIGINT NOT NULL,
	PRIMARY KEY (block_number, event_index)
);

-- Every accepted report with its signature (read from storage in the block that accepted it),
-- so an auditor can re-verify it off chain.
CREATE TABLE kpi_reports (
	block_number BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	extrinsic_index BIGINT,
	feed_id BIGINT NOT NULL,
	period BIGINT NOT NULL,
	operator TEXT NOT NULL,
	submitter TEXT NOT NULL,
	operator_key TEXT NOT NULL,
	value TEXT NOT NULL,
	window_start_ms BIGINT NOT NULL,
	window_end_ms BIGINT NOT NULL,
	payload_hash TEXT NOT NULL,
	devices_hash TEXT NOT NULL,
	signature TEXT,
	readings BIGINT NOT NULL,
	PRIMARY KEY (block_number, event_index)
);
CREATE INDEX kpi_reports_by_period ON kpi_reports (feed_id, period);

-- A KPI's history: KpiProvisional, KpiAttested, KpiDisputed, KpiFinalized, KpiMissing,
-- DisputeResolved. `status` is NULL for an attestation (the status does not change); the
-- current status of a period is the latest non-NULL one.
CREATE TABLE kpi_transitions (
	block_number BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	extrinsic_index BIGINT,
	feed_id BIGINT NOT NULL,
	period BIGINT NOT NULL,
	kind TEXT NOT NULL,
	status TEXT,
	value TEXT,
	actor TEXT,
	detail TEXT NOT NULL,
	PRIMARY KEY (block_number, event_index)
);
CREATE INDEX kpi_transitions_by_period ON kpi_transitions (feed_id, period);
