"""The Toxiproxy layer: an embedded, API-compatible Toxiproxy 2.x server and a typed client.

Server modules (`server`, `engine`, `toxics`, `state`, `httpd`, `models`) use the standard library
only, so `python3 -m hachaos.proxy` runs inside a stack container with Debian's python3 and `src/`
on PYTHONPATH. Nothing is imported here eagerly.
"""
