-- 0010: the open-data feeds and exports answer with Last-Modified, the latest
-- updated_at of the calendar and of the directory (issue 6). Without an index
-- max(updated_at) read every row: 60 ms for 200,000 events at each request,
-- conditional ones (304) included. Rows are written with the time of their
-- transaction, so new entries go to the end of these indexes.
CREATE INDEX calendar_by_update ON calendar (updated_at);
CREATE INDEX directory_by_update ON directory (updated_at);
