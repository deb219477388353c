-- Issue 15: the run settings of a flow version (env, memory, CPUs, timeout, job template...), each
-- with its source, as JSON: [{"name": "memory", "value": "2g", "source": "flow"}]. Versions
-- registered before this have none. Portable to H2 2.x and PostgreSQL 15 like V1.
ALTER TABLE flows ADD COLUMN run_config VARCHAR(1000000) DEFAULT '[]' NOT NULL;
