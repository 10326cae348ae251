-- kefu schema, version 5: event times from a hybrid logical clock (issue 11).
--
-- `at` orders the log and decides last-writer-wins; from this version on a seat stamps
-- a new event max(its wall clock, the newest `at` it holds + 1 ms), so a change made
-- after an import always sorts after what was imported, whatever the clocks say. The
-- seat's wall clock is kept beside it in `wall` (hashed): what people are shown, and
-- what reports count by. Events written before have no `wall` (NULL): their wall time
-- is their `at`, and their hash does not cover one. `shown_at` is that time, computed.
ALTER TABLE events ADD COLUMN wall TEXT;
ALTER TABLE events ADD COLUMN shown_at TEXT GENERATED ALWAYS AS (coalesce(wall, at)) VIRTUAL;

-- Per-agent work (`report agents`, the daily report) is counted by when it was done.
DROP INDEX events_work;
CREATE INDEX events_work ON events (kind, shown_at, agent, case_key);

-- How far each seat's clock was from this computer's, as last observed on an import:
-- their time minus ours, in milliseconds. Not a projection: an observation of this
-- database's own (`Store::rebuild` leaves it alone).
CREATE TABLE seat_clocks (
    seat        TEXT PRIMARY KEY,
    skew_ms     INTEGER NOT NULL,
    observed_at TEXT NOT NULL
) WITHOUT ROWID;
