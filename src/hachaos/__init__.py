"""hachaos: chaos and conformance tests for high-availability deployments."""

__version__ = "0.1.0"
