"""The published figures of the Match as tidy CSV files, installed as ``simulator.published`` (see README.md)."""
