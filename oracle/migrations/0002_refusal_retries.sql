-- Refusals are retried until the period's deadline: a broker that was down, or readings that
-- arrived late, across a period's end must not make the period Missing.
--
-- state refused is now final only when retry_at is NULL. While retry_at (ms since the Unix
-- epoch) is set, the period is evaluated again at or after that time, as long as it is still
-- open (deadline less 2 s); the row is then replaced by the new decision: refused again (with a
-- later retry_at, or NULL when no time is left), or signed (pending, with its readings). The
-- source documents kept are those of the latest evaluation. A signed period is never evaluated
-- again. Rows refused before this migration keep retry_at NULL: final, as they were.
--
-- evaluations counts how often the period's data was read and judged (1 for a first decision).
ALTER TABLE reports ADD COLUMN evaluations INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reports ADD COLUMN retry_at INTEGER;
