-- Issue 6: leases on active runs, the infrastructure-retry budget, concurrency limits per flow
-- name, schedules, and indexes that keep the agents' poll flat as finished runs pile up. Portable
-- to H2 2.x and PostgreSQL 15 like V1 (no partial indexes, no triggers: notifications are sent
-- by the application).

-- Per flow version: how often a run may be rescheduled after its infrastructure failed (separate
-- from task retries), the concurrency limit of the flow's name and what happens to excess runs,
-- and the schedule (a Quartz cron expression, evaluated in UTC, or a fixed interval).
ALTER TABLE flows ADD COLUMN infrastructure_retries INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE flows ADD COLUMN concurrency_limit INTEGER;
ALTER TABLE flows ADD COLUMN when_limited VARCHAR(10) DEFAULT 'wait' NOT NULL;
ALTER TABLE flows ADD COLUMN schedule_cron VARCHAR(120);
ALTER TABLE flows ADD COLUMN schedule_interval_ms BIGINT;

-- Per run: until when its agent holds it (renewed with every heartbeat; an active run whose lease
-- expired is orphaned), how much of the infrastructure-retry budget it used, and, for runs a
-- schedule created, the fire they belong to.
ALTER TABLE flow_runs ADD COLUMN lease_expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE flow_runs ADD COLUMN infrastructure_retries_used INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE flow_runs ADD COLUMN schedule_fire_at TIMESTAMP WITH TIME ZONE;

-- Each schedule fire creates exactly one run, however many schedulers fire it. Runs created
-- otherwise have no fire time, and NULLs never collide in a unique constraint (H2 and PostgreSQL).
ALTER TABLE flow_runs ADD CONSTRAINT flow_runs_schedule_fire_key UNIQUE (flow_id, schedule_fire_at);

-- The poll: Scheduled runs due by now, oldest first, ties by id. Finished runs sit in other
-- state ranges of the index, so their number does not slow the poll.
DROP INDEX flow_runs_state_scheduled_idx;
CREATE INDEX flow_runs_state_scheduled_idx ON flow_runs (state, scheduled_at, id);
-- Orphan detection: active runs whose lease expired.
CREATE INDEX flow_runs_state_lease_idx ON flow_runs (state, lease_expires_at);
-- Concurrency limits: active runs of a flow's versions.
CREATE INDEX flow_runs_flow_state_idx ON flow_runs (flow_id, state);

-- The concurrency limit of each flow name that has one, from its newest registration. Claims
-- lock a flow's row here while they count its active runs, so agents never exceed the limit.
CREATE TABLE flow_limits (
    flow_name         VARCHAR(200) NOT NULL PRIMARY KEY,
    concurrency_limit INTEGER      NOT NULL,
    when_limited      VARCHAR(10)  NOT NULL -- wait | cancel
);

-- Paused schedules, per flow name; a flow without a row here is not paused.
CREATE TABLE flow_schedules (
    flow_name  VARCHAR(200)             NOT NULL PRIMARY KEY,
    paused     BOOLEAN                  NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
