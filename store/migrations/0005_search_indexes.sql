-- 0005: indexes for the directory and calendar at network scale (issue 6:
-- 10,000 OSPOs and 200,000 events; docs/BENCHMARKS.md).

-- Covers the facet counts (kind, country, level, areas, languages): they
-- scan this small index instead of every row with its profile document.
CREATE INDEX directory_facets ON directory (kind, country, level, areas, languages);

-- The directory's default order (this node first, then by name), so the
-- first page reads 20 rows instead of sorting the whole directory.
CREATE INDEX directory_order ON directory ((kind = 'self') DESC, sort_name, id);

-- Covers the calendar's upcoming-events scans: the count, the facets and
-- the choice of a page, without reading each event's document.
CREATE INDEX calendar_upcoming ON calendar (end_at, start_at, id, online, in_person, country, languages, ospo_id);
