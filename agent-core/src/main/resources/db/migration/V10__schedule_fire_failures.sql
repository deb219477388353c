-- Issues 12 and 13: a schedule fire that created no run because something went wrong (the flow's
-- version gone or refused, a run creation error) is remembered on the schedule's row, so the UI's
-- problems banner and the API can show it: when that fire was due and one line of why. The next
-- fire that creates its run clears both. A row may now exist only for this (paused false).
-- Portable to H2 2.x and PostgreSQL 15 like V1.
ALTER TABLE flow_schedules ADD COLUMN last_failed_fire_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE flow_schedules ADD COLUMN last_failure VARCHAR(500);
