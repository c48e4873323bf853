"""Workloads: client traffic during a fault (ledgers, load)."""
