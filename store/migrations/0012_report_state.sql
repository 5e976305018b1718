-- 0012: a received report is answered (issue 11): resolved or dismissed,
-- with a note and the person who answered; resolved_at (0004) says when.
ALTER TABLE reports ADD COLUMN state TEXT NOT NULL DEFAULT 'open'
  CHECK (state IN ('open', 'resolved', 'dismissed'));
ALTER TABLE reports ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';
