"""Honest statistics: proportions and differences with confidence intervals."""
