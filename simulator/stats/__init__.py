"""Honest statistics: proportions and differences with confidence intervals.

matchsim estimates probabilities by simulation: over ``T`` trials (synthetic
Match years) it places ``K`` independent copies of a focal applicant in each
market and counts how many match.  Outcomes are binary, clustered by trial
(the copies of one trial share its market), and compared between strategies
on common random numbers (paired).  Hence:

* :mod:`simulator.stats.proportions`: Wilson intervals, widened by a design
  effect for clustering (:func:`clustered_proportion`);
* :mod:`simulator.stats.differences`: Newcombe's paired interval for the
  difference of two strategies (:func:`paired_difference`), and the unpaired
  one it beats (:func:`unpaired_difference`).

Everything here is a pure function of NumPy arrays (no randomness, no
mutation); results are small frozen dataclasses that carry ``k``, ``n``, the
interval, the confidence level and a ``method`` string saying how the interval
was computed.  Printing them is :mod:`simulator.report.text`'s job.
"""

from simulator.stats.differences import (
    PairedDifference,
    UnpairedDifference,
    paired_difference,
    unpaired_difference,
)
from simulator.stats.proportions import (
    Proportion,
    clustered_proportion,
    clustered_proportion_from_counts,
    proportion,
    wilson_interval,
)

__all__ = [
    "PairedDifference",
    "Proportion",
    "UnpairedDifference",
    "clustered_proportion",
    "clustered_proportion_from_counts",
    "paired_difference",
    "proportion",
    "unpaired_difference",
    "wilson_interval",
]
