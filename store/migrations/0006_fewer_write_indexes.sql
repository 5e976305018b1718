-- 0006: indexes the inbox paid for on every event and no query uses (issue 6).
-- Each index is one more b-tree leaf, at a random place, written to the WAL
-- by every commit that stores a remote event.

-- A prefix of calendar_upcoming (end_at, start_at, ...): the planner uses that one.
DROP INDEX calendar_by_end;

-- remote_events are read by id or by actor (remote_events_by_actor), never by start.
DROP INDEX remote_events_by_start;
