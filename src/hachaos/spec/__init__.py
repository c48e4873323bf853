"""Input models: stack and scenario files parsed once into typed models."""
