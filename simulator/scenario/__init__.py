"""Scenario files: TOML read into frozen dataclasses, every value checked once."""
