//! The hub's PostgreSQL schema, `kefu`: numbered migrations that are only ever added,
//! never edited, applied by `kefu hub init` in one transaction.
//!
//! * `kefu.events` is the shared, append-only copy of every seat's event log: the
//!   stored fields exactly as hashed, plus who pushed each one and when it arrived.
//!   Each seat's events form a contiguous series `(seat, seq)`; a trigger refuses an
//!   event that does not follow its predecessor's hash, so a pull that asks for what
//!   follows a seat's head can never skip one.
//! * `kefu.seats` binds each seat's PostgreSQL role to one seat (on its first connect).
//! * Row-level security: a seat's role inserts only events of its bound seat; reading
//!   needs a role that is a bound seat or a supervisor, and not revoked; nothing grants
//!   UPDATE or DELETE, so only the owner (who made the hub) can change an event.

/// Every migration: (version, SQL). `{group}` is the role every seat's role is a
/// member of (quoted).
pub const MIGRATIONS: &[(i32, &str)] = &[(1, MIGRATION_1), (2, MIGRATION_2)];

/// The newest hub schema this kefu knows.
pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Made before any migration, so the version can be read and locked.
pub const BOOTSTRAP: &str = "
CREATE SCHEMA IF NOT EXISTS kefu;
CREATE TABLE IF NOT EXISTS kefu.migrations (
    version      integer PRIMARY KEY,
    kefu_version text NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now()
);
";

const MIGRATION_1: &str = r#"
CREATE TABLE kefu.seats (
    role       name PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    seat       text UNIQUE,
    supervisor boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    bound_at   timestamptz,
    revoked_at timestamptz,
    last_seen  timestamptz
);

CREATE TABLE kefu.events (
    gseq        bigserial NOT NULL,
    id          text PRIMARY KEY,
    seat        text NOT NULL,
    seq         bigint NOT NULL CHECK (seq >= 1),
    agent       text NOT NULL,
    at          text NOT NULL,
    wall        text,
    kind        text NOT NULL,
    payload     text NOT NULL,
    prev_hash   text NOT NULL,
    hash        text NOT NULL,
    pushed_by   name NOT NULL DEFAULT session_user,
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seat, seq)
);
CREATE INDEX events_received ON kefu.events (seat, received_at);

-- The seat bound to the connected role, if it is not revoked.
CREATE FUNCTION kefu.my_seat() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT seat FROM kefu.seats WHERE role = session_user AND revoked_at IS NULL
$$;

-- Whether the connected role may read the log: a bound seat or a supervisor, not revoked.
CREATE FUNCTION kefu.may_read() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM kefu.seats
                   WHERE role = session_user AND revoked_at IS NULL AND (seat IS NOT NULL OR supervisor))
$$;

-- Binds the connected role to a seat on its first call; returns the bound seat.
CREATE FUNCTION kefu.bind(p_seat text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE r kefu.seats%ROWTYPE;
BEGIN
    SELECT * INTO r FROM kefu.seats WHERE role = session_user FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role % is not a kefu seat', session_user USING ERRCODE = 'KF001';
    END IF;
    IF r.revoked_at IS NOT NULL THEN
        RAISE EXCEPTION 'role % was removed from the hub', session_user USING ERRCODE = 'KF002';
    END IF;
    IF r.seat IS NULL THEN
        UPDATE kefu.seats SET seat = p_seat, bound_at = now(), last_seen = now() WHERE role = session_user;
        RETURN p_seat;
    END IF;
    UPDATE kefu.seats SET last_seen = now() WHERE role = session_user;
    RETURN r.seat;
END
$$;

-- Each seat's series stays contiguous and chained: event n follows event n-1's hash.
CREATE FUNCTION kefu.check_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.seq > 1 AND NOT EXISTS (
        SELECT 1 FROM kefu.events WHERE seat = NEW.seat AND seq = NEW.seq - 1 AND hash = NEW.prev_hash
    ) THEN
        RAISE EXCEPTION 'seat % event % does not follow event % on the hub', NEW.seat, NEW.seq, NEW.seq - 1
            USING ERRCODE = 'KF003';
    END IF;
    NEW.pushed_by := session_user;
    NEW.received_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER events_chain BEFORE INSERT ON kefu.events FOR EACH ROW EXECUTE FUNCTION kefu.check_chain();

-- Wakes the seats listening: something new arrived.
CREATE FUNCTION kefu.notify_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kefu_events', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER events_notify AFTER INSERT ON kefu.events FOR EACH STATEMENT EXECUTE FUNCTION kefu.notify_events();

ALTER TABLE kefu.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY seats_read ON kefu.events FOR SELECT USING ((SELECT kefu.may_read()));
CREATE POLICY seats_insert_own ON kefu.events FOR INSERT WITH CHECK (seat = (SELECT kefu.my_seat()));

REVOKE ALL ON ALL TABLES IN SCHEMA kefu FROM PUBLIC;
GRANT USAGE ON SCHEMA kefu TO {group};
GRANT SELECT ON kefu.migrations, kefu.seats TO {group};
GRANT SELECT, INSERT ON kefu.events TO {group};
GRANT USAGE ON SEQUENCE kefu.events_gseq_seq TO {group};
"#;

// Presence: who has which case open, as heartbeats that expire.
const MIGRATION_2: &str = r#"
CREATE TABLE kefu.presence (
    seat     text NOT NULL,
    agent    text NOT NULL,
    case_key text NOT NULL,
    seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seat, case_key)
);
ALTER TABLE kefu.presence ENABLE ROW LEVEL SECURITY;
CREATE POLICY presence_read ON kefu.presence FOR SELECT USING ((SELECT kefu.may_read()));
CREATE POLICY presence_insert_own ON kefu.presence FOR INSERT WITH CHECK (seat = (SELECT kefu.my_seat()));
CREATE POLICY presence_update_own ON kefu.presence FOR UPDATE
    USING (seat = (SELECT kefu.my_seat())) WITH CHECK (seat = (SELECT kefu.my_seat()));
CREATE POLICY presence_delete_own ON kefu.presence FOR DELETE USING (seat = (SELECT kefu.my_seat()));
GRANT SELECT, INSERT, UPDATE, DELETE ON kefu.presence TO {group};
"#;
