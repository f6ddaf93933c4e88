"""Studies: trial plans, trials, executors, run folders, compare and sweep, calibration."""
