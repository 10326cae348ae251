-- kefu schema, version 2: tamper evidence for the end of each seat's chain.
--
-- The hash chain catches an edited or deleted event anywhere but at the end: a seat's
-- last event can be deleted without breaking any link. `chain_heads` records each
-- seat's newest (seq, hash) as events are written (store::insert_event), so
-- `kefu log verify` can tell a chain that was cut short from one that simply ends.
-- Not a projection: `Store::rebuild` leaves it alone.
CREATE TABLE chain_heads (
    seat TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
) WITHOUT ROWID;

-- A database from before this migration: its chains' current ends become the heads.
INSERT INTO chain_heads (seat, seq, hash)
SELECT e.seat, e.seq, e.hash FROM events e
WHERE e.seq = (SELECT max(x.seq) FROM events x WHERE x.seat = e.seat);
