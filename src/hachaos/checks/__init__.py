"""Checkers: pure functions of a History that return frozen result objects.

recovery.recovery_time, steady.steady_state, data.check_set, latency.windows,
overlap.primary_overlap.
"""
