-- 0009: the calendar's full-text index is written once per transaction, not
-- once per event (issue 6). FTS5 flushes its pending terms into a new index
-- segment before each statement of a transaction that has written to it, so
-- each event of a group commit made a segment of its own (later merged).
-- A new row is now only noted in calendar_unindexed; the store indexes the
-- noted rows in one statement just before it commits (Store.InTx), and the
-- delete and update triggers leave the index alone for rows not yet in it.
-- Whatever path deletes or updates a row (cascades included) keeps the
-- index consistent; a row noted and never indexed would only be missing
-- from searches until the next transaction that indexes.

CREATE TABLE calendar_unindexed (
  rid INTEGER PRIMARY KEY -- rowid of a calendar row not yet in calendar_fts
) STRICT;

DROP TRIGGER calendar_ai;
DROP TRIGGER calendar_ad;
DROP TRIGGER calendar_au;

CREATE TRIGGER calendar_ai AFTER INSERT ON calendar BEGIN
  INSERT INTO calendar_unindexed (rid) VALUES (new.rowid);
END;
CREATE TRIGGER calendar_ad AFTER DELETE ON calendar BEGIN
  INSERT INTO calendar_fts (calendar_fts, rowid, search_name, search_text)
    SELECT 'delete', old.rowid, old.search_name, old.search_text
    WHERE NOT EXISTS (SELECT 1 FROM calendar_unindexed WHERE rid = old.rowid);
  DELETE FROM calendar_unindexed WHERE rid = old.rowid;
END;
CREATE TRIGGER calendar_au AFTER UPDATE ON calendar
  WHEN NOT EXISTS (SELECT 1 FROM calendar_unindexed WHERE rid = old.rowid) BEGIN
  INSERT INTO calendar_fts (calendar_fts, rowid, search_name, search_text)
    VALUES ('delete', old.rowid, old.search_name, old.search_text);
  INSERT INTO calendar_fts (rowid, search_name, search_text) VALUES (new.rowid, new.search_name, new.search_text);
END;
