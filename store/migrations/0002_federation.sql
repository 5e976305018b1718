-- 0002: federation: remote actors, follow relations, the transactional
-- outbox and its delivery queue, inbox de-duplication, peers' events.

-- Remote actors we know (followers, followed OSPOs, key owners), as fetched.
CREATE TABLE actors (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL,
  host           TEXT NOT NULL,
  username       TEXT NOT NULL DEFAULT '',
  inbox          TEXT NOT NULL,
  shared_inbox   TEXT NOT NULL DEFAULT '',
  key_id         TEXT NOT NULL,
  public_key_pem TEXT NOT NULL,
  is_ospo        INTEGER NOT NULL DEFAULT 0,
  doc            TEXT NOT NULL CHECK (json_valid(doc)),
  fetched_at     TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX actors_by_key ON actors (key_id);
CREATE INDEX actors_by_host ON actors (host);

-- Remote actors that follow us. A pending row waits for the administrator.
CREATE TABLE followers (
  id          INTEGER PRIMARY KEY,
  actor_id    TEXT NOT NULL UNIQUE REFERENCES actors (id) ON DELETE CASCADE,
  follow_id   TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('pending', 'accepted')),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX followers_by_state ON followers (state);

-- Remote actors we follow; accepted only by an Accept from that actor.
CREATE TABLE following (
  id          INTEGER PRIMARY KEY,
  actor_id    TEXT NOT NULL UNIQUE REFERENCES actors (id) ON DELETE CASCADE,
  follow_id   TEXT NOT NULL UNIQUE,
  state       TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;

-- Every activity we sent, with the exact bytes delivered (signed at send time).
CREATE TABLE activities (
  id          TEXT PRIMARY KEY,
  type        TEXT NOT NULL,
  object_id   TEXT NOT NULL DEFAULT '',
  doc         TEXT NOT NULL CHECK (json_valid(doc)),
  created_at  TEXT NOT NULL
) STRICT;

-- The delivery queue: one row per (activity, inbox), written in the same
-- transaction as the change it announces. Workers claim rows with a lease;
-- a crash leaves an expired lease that is claimed again (at-least-once).
CREATE TABLE deliveries (
  id           INTEGER PRIMARY KEY,
  activity_id  TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
  inbox        TEXT NOT NULL,
  host         TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_at      TEXT NOT NULL,
  lease_until  TEXT,
  last_status  INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  UNIQUE (activity_id, inbox)
) STRICT;
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE state = 'pending';
CREATE INDEX deliveries_by_host ON deliveries (host, state);

-- Health of each remote host we deliver to.
CREATE TABLE hosts (
  host            TEXT PRIMARY KEY,
  failing_since   TEXT,
  last_success_at TEXT,
  last_failure_at TEXT,
  last_error      TEXT NOT NULL DEFAULT '',
  unreachable     INTEGER NOT NULL DEFAULT 0,
  updated_at      TEXT NOT NULL
) STRICT;

-- Activity ids already processed by the inbox (idempotent inbox).
CREATE TABLE inbox_seen (
  activity_id TEXT PRIMARY KEY,
  actor_id    TEXT NOT NULL,
  type        TEXT NOT NULL,
  received_at TEXT NOT NULL
) STRICT;
CREATE INDEX inbox_seen_by_time ON inbox_seen (received_at);

-- Events of the OSPOs we follow, as they sent them.
CREATE TABLE remote_events (
  id          TEXT PRIMARY KEY,
  actor_id    TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
  name        TEXT NOT NULL DEFAULT '',
  start_at    TEXT,
  end_at      TEXT,
  doc         TEXT NOT NULL CHECK (json_valid(doc)),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX remote_events_by_actor ON remote_events (actor_id);
CREATE INDEX remote_events_by_start ON remote_events (start_at);
