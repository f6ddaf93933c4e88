"""Reports: summaries, text tables, JSON/CSV records and plots."""
