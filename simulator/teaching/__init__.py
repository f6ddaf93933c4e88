"""Teaching how rank-order lists work: small markets, traces, why, manipulation, sides.

The public surface, for ``matchsim match`` and ``matchsim explain`` and for
anyone teaching with small hand-written markets (:class:`SmallMarket`):

* :func:`load_market` reads a market file; :func:`solve_market` matches it
  and :func:`format_result` shows the matching;
* :func:`trace_market` (every round), :func:`explain_outcome` (why a name
  ended up where it did), :func:`compare_sides` (applicants or programs
  proposing) and :func:`manipulation_search` (could a different list do
  better?), each with its ``format_*``;
* :func:`explain_market` runs one of them as ``matchsim explain`` does, and
  :func:`format_lesson` prints it;
* a market with couples, advanced programs or supplemental PGY-1 lists is
  matched by the NRMP's procedure: :func:`trace_nrmp` tells it step by step and
  :func:`format_nrmp_trace` prints it (the functions above follow it too).
"""

from simulator.teaching.lesson import explain_market, format_lesson
from simulator.teaching.manipulation import MAX_LISTS, manipulation_search
from simulator.teaching.manipulation_text import format_manipulation
from simulator.teaching.nrmp_trace import trace_nrmp
from simulator.teaching.nrmp_trace_text import format_nrmp_trace
from simulator.teaching.result import format_result, solve_market
from simulator.teaching.sides import compare_sides, format_comparison
from simulator.teaching.smallmarket import SmallMarket, load_market
from simulator.teaching.trace import format_trace, trace_market
from simulator.teaching.why import explain_outcome
from simulator.teaching.why_text import format_explanation

__all__ = [
    "MAX_LISTS",
    "SmallMarket",
    "compare_sides",
    "explain_market",
    "explain_outcome",
    "format_comparison",
    "format_explanation",
    "format_lesson",
    "format_manipulation",
    "format_nrmp_trace",
    "format_result",
    "format_trace",
    "load_market",
    "manipulation_search",
    "solve_market",
    "trace_market",
    "trace_nrmp",
]
