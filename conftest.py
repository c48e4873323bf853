"""Top-level conftest: the hachaos plugin is loaded through its pytest11 entry point."""
