-- 0001: the node's own OSPO: settings (keys, token hash), profile and events.

-- Small key/value settings: the actor key pair, the admin token's hash.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- The node's OSPO profile: one row, the validated JSON document.
CREATE TABLE profile (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  doc        TEXT NOT NULL CHECK (json_valid(doc)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

-- The node's own events. A deleted event keeps its row as a tombstone so
-- that its URL answers 410 Gone and peers can be told it is gone.
CREATE TABLE events (
  id         TEXT PRIMARY KEY,
  doc        TEXT NOT NULL CHECK (json_valid(doc)),
  start_at   TEXT NOT NULL,
  end_at     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
) STRICT;
CREATE INDEX events_by_start ON events (start_at) WHERE deleted_at IS NULL;
CREATE INDEX events_by_end ON events (end_at) WHERE deleted_at IS NULL;
CREATE INDEX events_by_created ON events (created_at) WHERE deleted_at IS NULL;
