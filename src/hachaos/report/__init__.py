"""Reporters that subscribe to core events (Allure, console, JSON)."""
