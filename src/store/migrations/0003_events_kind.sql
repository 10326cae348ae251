-- kefu schema, version 3: one index fewer on the log.
--
-- `events_kind (kind, at)` is a prefix of `events_work (kind, at, agent, case_key)`
-- (migration 0002): every query it served, `events_work` serves the same way, and each
-- event written paid for both. Dropping it makes a 1,000,000-event import write one
-- B-tree fewer per event.
DROP INDEX events_kind;
