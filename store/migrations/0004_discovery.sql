-- 0004: discovery, freshness and moderation.

-- Remote OSPO nodes found through the network (or a seed list), with their
-- refresh schedule. Followed peers are kept fresh by push; discovered ones
-- are re-fetched here.
CREATE TABLE peers (
  actor_id        TEXT PRIMARY KEY,
  state           TEXT NOT NULL CHECK (state IN ('active', 'unreachable', 'dismissed')),
  depth           INTEGER NOT NULL DEFAULT 0,
  via             TEXT NOT NULL DEFAULT '',
  etag            TEXT NOT NULL DEFAULT '',
  last_modified   TEXT NOT NULL DEFAULT '',
  failures        INTEGER NOT NULL DEFAULT 0,
  failing_since   TEXT,
  last_success_at TEXT,
  last_error      TEXT NOT NULL DEFAULT '',
  next_fetch_at   TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX peers_due ON peers (next_fetch_at) WHERE state <> 'dismissed';

-- Domains this node refuses to federate with.
CREATE TABLE domain_blocks (
  domain     TEXT PRIMARY KEY,
  reason     TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
) STRICT;

-- Domains allowed when the node runs in allow-list mode (setting federation.allowlist).
CREATE TABLE domain_allows (
  domain     TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
) STRICT;

-- Reports (Flag activities) received from other servers.
CREATE TABLE reports (
  id          INTEGER PRIMARY KEY,
  activity_id TEXT NOT NULL UNIQUE,
  actor_id    TEXT NOT NULL,
  objects     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(objects)),
  content     TEXT NOT NULL DEFAULT '',
  received_at TEXT NOT NULL,
  resolved_at TEXT
) STRICT;

-- The licence of a directory entry's data (imported lists).
ALTER TABLE directory ADD COLUMN licence TEXT NOT NULL DEFAULT '';
