"""Probes: client operations on a schedule, recorded into a history."""
