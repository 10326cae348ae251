-- kefu schema, version 1. Migrations are only ever added, never edited.
-- Every table except `events` (and `meta`) is a projection of the event log.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The log. `payload` holds the body's JSON exactly as first written; `hash` chains
-- each seat's events: sha256 over (id, seat, seq, agent, at, kind, payload, prev_hash).
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    seat        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    agent       TEXT NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    order_no    TEXT,
    case_key    TEXT,
    received_at TEXT NOT NULL,
    UNIQUE (seat, seq)
);
CREATE INDEX events_time  ON events (at, seat, seq);
CREATE INDEX events_order ON events (order_no, at) WHERE order_no IS NOT NULL;
CREATE INDEX events_case  ON events (case_key, at, seat, seq) WHERE case_key IS NOT NULL;
CREATE INDEX events_agent ON events (agent, at);
CREATE INDEX events_kind  ON events (kind, at);

CREATE TABLE settings (
    key       TEXT PRIMARY KEY,
    value     TEXT NOT NULL,
    event_key TEXT NOT NULL
);

CREATE TABLE orders (
    order_no         TEXT PRIMARY KEY,
    -- the order number reversed: agents quote the tail, and a tail is a prefix of this
    order_rev        TEXT NOT NULL DEFAULT '',
    buyer            TEXT NOT NULL DEFAULT '',
    buyer_alipay     TEXT NOT NULL DEFAULT '',
    receiver_name    TEXT NOT NULL DEFAULT '',
    receiver_phone   TEXT NOT NULL DEFAULT '',
    phone_tail       TEXT NOT NULL DEFAULT '',
    receiver_address TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    amount_fen       INTEGER NOT NULL DEFAULT 0,
    postage_fen      INTEGER NOT NULL DEFAULT 0,
    refund_fen       INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT,
    paid_at          TEXT,
    shipped_at       TEXT,
    ship_by          TEXT,
    buyer_message    TEXT NOT NULL DEFAULT '',
    platform_memo    TEXT NOT NULL DEFAULT '',
    platform_flag    INTEGER,
    courier          TEXT NOT NULL DEFAULT '',
    tracking_no      TEXT NOT NULL DEFAULT '',
    shop_name        TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL DEFAULT '',
    close_reason     TEXT NOT NULL DEFAULT '',
    platform_key     TEXT NOT NULL,
    -- local work: never touched by platform upserts
    local_flag       INTEGER,
    flag_key         TEXT,
    flag             INTEGER NOT NULL DEFAULT 0,
    memo_last        TEXT NOT NULL DEFAULT '',
    memo_key         TEXT,
    open_refunds     INTEGER NOT NULL DEFAULT 0,
    -- queue position: rank (0 awaiting shipment … 3 done), then key (ship_by or time)
    qrank            INTEGER NOT NULL,
    qkey             TEXT NOT NULL
);
CREATE INDEX orders_queue        ON orders (qrank, qkey, order_no);
CREATE INDEX orders_flag_queue   ON orders (flag, qrank, qkey, order_no) WHERE flag > 0;
CREATE INDEX orders_refund_queue ON orders (qrank, qkey, order_no) WHERE open_refunds > 0;
CREATE INDEX orders_rev          ON orders (order_rev);
CREATE INDEX orders_buyer        ON orders (buyer);
CREATE INDEX orders_receiver     ON orders (receiver_name);
CREATE INDEX orders_phone_tail   ON orders (phone_tail);
CREATE INDEX orders_tracking     ON orders (tracking_no) WHERE tracking_no <> '';
CREATE INDEX orders_paid         ON orders (paid_at);
CREATE INDEX orders_shipped      ON orders (shipped_at) WHERE shipped_at IS NOT NULL;

CREATE TABLE order_items (
    order_no  TEXT NOT NULL,
    line      INTEGER NOT NULL,
    title     TEXT NOT NULL,
    sku       TEXT NOT NULL,
    color     TEXT NOT NULL,
    size      TEXT NOT NULL,
    qty       INTEGER NOT NULL,
    price_fen INTEGER NOT NULL,
    PRIMARY KEY (order_no, line)
) WITHOUT ROWID;

CREATE TABLE memo_lines (
    event_id TEXT PRIMARY KEY,
    order_no TEXT NOT NULL,
    event_key TEXT NOT NULL,
    at       TEXT NOT NULL,
    seat     TEXT NOT NULL,
    agent    TEXT NOT NULL,
    kind     TEXT NOT NULL,
    text     TEXT NOT NULL
);
CREATE INDEX memo_lines_order ON memo_lines (order_no, event_key);
CREATE INDEX memo_lines_agent ON memo_lines (agent, at);

CREATE TABLE refunds (
    refund_no          TEXT PRIMARY KEY,
    order_no           TEXT NOT NULL,
    amount_fen         INTEGER NOT NULL,
    reason             TEXT NOT NULL,
    buyer_desc         TEXT NOT NULL,
    no_reason_7d       INTEGER NOT NULL,
    needs_return       INTEGER NOT NULL,
    shipped            INTEGER NOT NULL,
    goods_status       TEXT NOT NULL,
    phase              TEXT NOT NULL,
    applied_at         TEXT,
    deadline           TEXT,
    state              TEXT NOT NULL,
    goods_received     INTEGER NOT NULL DEFAULT 0,
    return_tracking_no TEXT NOT NULL DEFAULT '',
    return_courier     TEXT NOT NULL DEFAULT '',
    seller_note        TEXT NOT NULL DEFAULT '',
    extended_days      INTEGER NOT NULL DEFAULT 0,
    opened_at          TEXT NOT NULL,
    opened_by          TEXT NOT NULL,
    first_action_at    TEXT,
    first_action_by    TEXT,
    handler            TEXT NOT NULL DEFAULT '',
    updated_at         TEXT NOT NULL,
    closed_at          TEXT
);
CREATE INDEX refunds_order   ON refunds (order_no);
CREATE INDEX refunds_state   ON refunds (state, applied_at);
CREATE INDEX refunds_applied ON refunds (applied_at);
CREATE INDEX refunds_closed  ON refunds (closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE cases (
    case_id          TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    order_no         TEXT NOT NULL,
    state            TEXT NOT NULL,
    detail           TEXT NOT NULL,
    reg_source       TEXT NOT NULL DEFAULT '',
    reg_rating       TEXT NOT NULL DEFAULT '',
    reg_handler      TEXT NOT NULL DEFAULT '',
    reg_problem_type TEXT NOT NULL DEFAULT '',
    reg_status       TEXT NOT NULL DEFAULT '',
    reg_result       TEXT NOT NULL DEFAULT '',
    opened_at        TEXT NOT NULL,
    opened_by        TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    closed_at        TEXT
);
CREATE INDEX cases_order      ON cases (order_no);
CREATE INDEX cases_kind_state ON cases (kind, state);
CREATE INDEX cases_opened     ON cases (opened_at);

CREATE TABLE case_contacts (
    event_id  TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL,
    event_key TEXT NOT NULL,
    date      TEXT NOT NULL,
    channel   TEXT NOT NULL,
    progress  TEXT NOT NULL,
    agent     TEXT NOT NULL,
    seat      TEXT NOT NULL
);
CREATE INDEX case_contacts_case ON case_contacts (case_id, event_key);

-- Events that replay found no longer legal (two seats acted on one case).
CREATE TABLE conflicts (
    event_id TEXT PRIMARY KEY,
    case_key TEXT NOT NULL,
    reason   TEXT NOT NULL
);
CREATE INDEX conflicts_case ON conflicts (case_key);

CREATE TABLE conflict_resolutions (
    event_id          TEXT NOT NULL,
    resolved_by_event TEXT NOT NULL PRIMARY KEY,
    note              TEXT NOT NULL,
    agent             TEXT NOT NULL,
    at                TEXT NOT NULL
);
CREATE INDEX conflict_resolutions_event ON conflict_resolutions (event_id);

CREATE TABLE replies (
    reply_id    TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    text        TEXT NOT NULL,
    grp         TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    -- content and deleted-ness are each last-writer-wins by their own event key
    text_key    TEXT NOT NULL,
    state_key   TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);
CREATE INDEX replies_code ON replies (code);

CREATE TABLE reply_history (
    event_id TEXT PRIMARY KEY,
    reply_id TEXT NOT NULL,
    event_key TEXT NOT NULL,
    agent    TEXT NOT NULL,
    code     TEXT NOT NULL,
    text     TEXT NOT NULL,
    grp      TEXT NOT NULL,
    deleted  INTEGER NOT NULL
);
CREATE INDEX reply_history_reply ON reply_history (reply_id, event_key);

CREATE TABLE reply_uses (
    event_id TEXT PRIMARY KEY,
    reply_id TEXT NOT NULL,
    order_no TEXT NOT NULL,
    agent    TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX reply_uses_reply ON reply_uses (reply_id);
CREATE INDEX reply_uses_agent ON reply_uses (agent, at);

-- Seats and agents seen in the log.
CREATE TABLE people (
    seat       TEXT NOT NULL,
    agent      TEXT NOT NULL,
    first_at   TEXT NOT NULL,
    last_at    TEXT NOT NULL,
    PRIMARY KEY (seat, agent)
) WITHOUT ROWID;
