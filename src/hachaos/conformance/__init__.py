"""Conformance: is this install configured for HA at all? Checks per role and profile (ports,
hardware, worker configuration, replication and quorum health, backups, container runtime)
run on any backend's nodes through their testinfra connection strings."""
