-- 0008: a version number of the calendar (issue 6). Counting the facets of
-- 100,000 upcoming events takes a fifth of a second; the store keeps the
-- counts of recent searches while this number is unchanged. Triggers
-- increase it on every change, whatever statement or process makes it.
-- Every change writes this one row: in a group commit of the inbox, one
-- page for the whole batch.

CREATE TABLE calendar_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
) STRICT;
INSERT INTO calendar_version (id, n) VALUES (1, 0);

CREATE TRIGGER calendar_version_ai AFTER INSERT ON calendar BEGIN
  UPDATE calendar_version SET n = n + 1;
END;
CREATE TRIGGER calendar_version_au AFTER UPDATE ON calendar BEGIN
  UPDATE calendar_version SET n = n + 1;
END;
CREATE TRIGGER calendar_version_ad AFTER DELETE ON calendar BEGIN
  UPDATE calendar_version SET n = n + 1;
END;
