-- 0003: the network directory and calendar: one searchable row per OSPO
-- and per event the node knows (its own and its peers'), with FTS5 indexes.

-- One row per OSPO: the node's own (kind 'self'), those it follows or that
-- follow it. profile is the normalised store.Profile JSON.
CREATE TABLE directory (
  id          TEXT PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,
  kind        TEXT NOT NULL CHECK (kind IN ('self', 'followed', 'follower', 'discovered', 'listed')),
  host        TEXT NOT NULL,
  account     TEXT NOT NULL DEFAULT '',
  profile     TEXT NOT NULL CHECK (json_valid(profile)),
  country     TEXT NOT NULL DEFAULT '',
  level       TEXT NOT NULL DEFAULT '',
  areas       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(areas)),
  languages   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(languages)),
  sort_name   TEXT NOT NULL DEFAULT '',
  search_name TEXT NOT NULL DEFAULT '',
  search_text TEXT NOT NULL DEFAULT '',
  source      TEXT NOT NULL DEFAULT '',
  updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX directory_by_country ON directory (country);
CREATE INDEX directory_by_level ON directory (level);
CREATE INDEX directory_by_name ON directory (sort_name);

CREATE VIRTUAL TABLE directory_fts USING fts5(search_name, search_text,
  content='directory', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER directory_ai AFTER INSERT ON directory BEGIN
  INSERT INTO directory_fts (rowid, search_name, search_text) VALUES (new.rowid, new.search_name, new.search_text);
END;
CREATE TRIGGER directory_ad AFTER DELETE ON directory BEGIN
  INSERT INTO directory_fts (directory_fts, rowid, search_name, search_text)
  VALUES ('delete', old.rowid, old.search_name, old.search_text);
END;
CREATE TRIGGER directory_au AFTER UPDATE ON directory BEGIN
  INSERT INTO directory_fts (directory_fts, rowid, search_name, search_text)
  VALUES ('delete', old.rowid, old.search_name, old.search_text);
  INSERT INTO directory_fts (rowid, search_name, search_text) VALUES (new.rowid, new.search_name, new.search_text);
END;

-- One row per event of a directory OSPO. event is the normalised store.Event JSON.
CREATE TABLE calendar (
  id          TEXT PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,
  ospo_id     TEXT NOT NULL REFERENCES directory (id) ON DELETE CASCADE,
  event       TEXT NOT NULL CHECK (json_valid(event)),
  start_at    TEXT NOT NULL,
  end_at      TEXT NOT NULL,
  online      INTEGER NOT NULL DEFAULT 0,
  in_person   INTEGER NOT NULL DEFAULT 0,
  country     TEXT NOT NULL DEFAULT '',
  languages   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(languages)),
  search_name TEXT NOT NULL DEFAULT '',
  search_text TEXT NOT NULL DEFAULT '',
  updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX calendar_by_start ON calendar (start_at);
CREATE INDEX calendar_by_end ON calendar (end_at);
CREATE INDEX calendar_by_ospo ON calendar (ospo_id);

CREATE VIRTUAL TABLE calendar_fts USING fts5(search_name, search_text,
  content='calendar', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER calendar_ai AFTER INSERT ON calendar BEGIN
  INSERT INTO calendar_fts (rowid, search_name, search_text) VALUES (new.rowid, new.search_name, new.search_text);
END;
CREATE TRIGGER calendar_ad AFTER DELETE ON calendar BEGIN
  INSERT INTO calendar_fts (calendar_fts, rowid, search_name, search_text)
  VALUES ('delete', old.rowid, old.search_name, old.search_text);
END;
CREATE TRIGGER calendar_au AFTER UPDATE ON calendar BEGIN
  INSERT INTO calendar_fts (calendar_fts, rowid, search_name, search_text)
  VALUES ('delete', old.rowid, old.search_name, old.search_text);
  INSERT INTO calendar_fts (rowid, search_name, search_text) VALUES (new.rowid, new.search_name, new.search_text);
END;
