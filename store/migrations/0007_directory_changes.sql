-- 0007: a log of changed directory rows (issue 6). The directory search
-- keeps the facet values of every entry in memory (store/dirtable.go) and,
-- after a change, reads only the rows logged since instead of all 10,000.
-- Triggers catch every write, whatever statement or process makes it.

CREATE TABLE directory_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a reader's position stays valid
  rid INTEGER NOT NULL                   -- rowid of the directory row inserted, updated or deleted
) STRICT;

-- Only the latest 1,000 changes are kept: a reader further behind reloads
-- the whole table.
CREATE TRIGGER directory_changes_ai AFTER INSERT ON directory BEGIN
  INSERT INTO directory_changes (rid) VALUES (new.rowid);
  DELETE FROM directory_changes WHERE seq <= (SELECT max(seq) FROM directory_changes) - 1000;
END;
CREATE TRIGGER directory_changes_au AFTER UPDATE ON directory BEGIN
  INSERT INTO directory_changes (rid) SELECT old.rowid UNION SELECT new.rowid;
  DELETE FROM directory_changes WHERE seq <= (SELECT max(seq) FROM directory_changes) - 1000;
END;
CREATE TRIGGER directory_changes_ad AFTER DELETE ON directory BEGIN
  INSERT INTO directory_changes (rid) VALUES (old.rowid);
  DELETE FROM directory_changes WHERE seq <= (SELECT max(seq) FROM directory_changes) - 1000;
END;
