-- Issue 15: what each agent lets its runs ask for (its LaunchPolicy), published when it registers,
-- so `run explain` in another process can name an agent that would refuse a waiting run. JSON:
-- {"allowedImagePrefixes": [...], "maxMemoryBytes": 1073741824, ...}; NULL for an agent that
-- publishes none (older agents, agents without bounds). Portable to H2 2.x and PostgreSQL 15.
ALTER TABLE agents ADD COLUMN policy VARCHAR(100000);
