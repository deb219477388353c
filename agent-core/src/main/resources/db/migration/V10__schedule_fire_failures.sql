-- Issues 12 and 13: a schedule fire that created no run because something went wrong (the flow's
-- version gone or refused, a run creation error) is remembered per flow name, so the UI's problems
-- banner and the API can show it: when that fire was due and one line of why. The next fire of
-- the schedule that creates its run deletes the row. Portable to H2 2.x and PostgreSQL 15 like V1.
CREATE TABLE schedule_fire_failures (
    flow_name   VARCHAR(200)             NOT NULL PRIMARY KEY,
    fire_at     TIMESTAMP WITH TIME ZONE NOT NULL, -- when the failed fire was due
    reason      VARCHAR(500)             NOT NULL, -- one line
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
