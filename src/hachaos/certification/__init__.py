"""Certification records: what a run proves about a stack, and run-to-run comparison."""
