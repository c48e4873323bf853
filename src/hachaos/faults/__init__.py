"""Faults with guaranteed revert, and how targets are chosen."""
