-- 0014: the Last-Modified of the directory and of the calendar never goes
-- back (issue 12). It was max(updated_at) of their rows, which went back when
-- the latest row was deleted, and an If-Modified-Since client then got a
-- stale 304. Triggers note every change, whatever statement, cascade or
-- process makes it; the store writes the time of the transaction into the
-- noted rows just before it commits (Store.InTx), never an earlier time
-- than the one there, so a clock set back moves nothing back either.

CREATE TABLE last_change (
  name    TEXT PRIMARY KEY CHECK (name IN ('directory', 'calendar')),
  at      TEXT NOT NULL,              -- time of the latest change ('' before any)
  pending INTEGER NOT NULL DEFAULT 0  -- 1: changed in the open transaction
) STRICT, WITHOUT ROWID;
INSERT INTO last_change (name, at) SELECT 'directory', coalesce(max(updated_at), '') FROM directory;
INSERT INTO last_change (name, at) SELECT 'calendar', coalesce(max(updated_at), '') FROM calendar;

-- "AND pending = 0": a batch of a hundred rows writes the row once.
CREATE TRIGGER directory_last_change_ai AFTER INSERT ON directory BEGIN
  UPDATE last_change SET pending = 1 WHERE name = 'directory' AND pending = 0;
END;
CREATE TRIGGER directory_last_change_au AFTER UPDATE ON directory BEGIN
  UPDATE last_change SET pending = 1 WHERE name = 'directory' AND pending = 0;
END;
CREATE TRIGGER directory_last_change_ad AFTER DELETE ON directory BEGIN
  UPDATE last_change SET pending = 1 WHERE name = 'directory' AND pending = 0;
END;
CREATE TRIGGER calendar_last_change_ai AFTER INSERT ON calendar BEGIN
  UPDATE last_change SET pending = 1 WHERE name = 'calendar' AND pending = 0;
END;
CREATE TRIGGER calendar_last_change_au AFTER UPDATE ON calendar BEGIN
  UPDATE last_change SET pending = 1 WHERE name = 'calendar' AND pending = 0;
END;
CREATE TRIGGER calendar_last_change_ad AFTER DELETE ON calendar BEGIN
  UPDATE last_change SET pending = 1 WHERE name = 'calendar' AND pending = 0;
END;
