"""The pytest side of hachaos: options, per-run state, scenario collection, fixtures."""
