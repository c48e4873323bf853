"""Crash safety: the fault journal, the reaper process, leftover sweeps, signal cleanup."""
