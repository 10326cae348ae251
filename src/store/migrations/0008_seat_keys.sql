-- kefu schema, version 8: a seat is its key (issue 11).
--
-- `seat_keys`: the public key of each seat this database knows, pinned the first time it
-- was seen (trust on first use), handed out by a supervisor (`kefu seats trust`), or this
-- database's own. A file signed by another key for a pinned seat, or carrying unsigned
-- events of it, is refused whole. Not a projection: `Store::rebuild` leaves it alone.
CREATE TABLE seat_keys (
    seat        TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    -- 'own', 'seen' (first use) or 'trusted' (from a supervisor's list)
    source      TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL
) WITHOUT ROWID;

-- Signed chain heads: this seat's own (re-signed on every write) and the ones received
-- with imports. The highest one per seat is the witness `kefu log verify` holds the log
-- to: an event at or below it that is missing was removed, not "not arrived yet".
CREATE TABLE signed_heads (
    seat        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    sig         TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (seat, seq)
) WITHOUT ROWID;

-- Each seat's witnessed prefix: the highest seq up to which this database has held every
-- one of the seat's events, and that event's hash. It only moves forward. An event at or
-- below it that is missing was removed (tampering); one above it may simply not have
-- arrived yet (a gap). A database from before keeps what its log shows now: each seat
-- whose events have no hole.
CREATE TABLE witnesses (
    seat TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO witnesses (seat, seq, hash)
    SELECT e.seat, e.seq, e.hash FROM events e
    JOIN (SELECT seat, max(seq) AS top, count(*) AS n FROM events GROUP BY seat) t ON e.seat = t.seat AND e.seq = t.top
    WHERE t.top = t.n;
