"""Reports: what :mod:`simulator.study` computes, as text tables, JSON/CSV records and plots."""
