"""The hosts backend: an existing deployment reached over one connection per host (SSH through
paramiko, or `docker exec` / a local shell), never created or removed by hachaos."""
