"""One ``matchsim explain`` lesson: a small market's trace and the one question asked of it.

:func:`explain_market` traces the market and answers at most one question
(how the two sides compare, why a name ended up where it did, or whether a
different list pays), and with ``soap`` plays SOAP's rounds after the Match;
:class:`Lesson` gives the JSON ``matchsim explain --json`` prints and
:func:`format_lesson` the text it prints without.  A market under the NRMP's
rules (couples, supplemental lists) is traced by its procedure
(:mod:`simulator.teaching.nrmp_trace`); of the questions, only ``why`` has a
meaning there (the others raise :class:`~simulator.errors.ScenarioError`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from simulator.errors import ScenarioError
from simulator.teaching.manipulation import Manipulation, manipulation_search
from simulator.teaching.manipulation_text import format_manipulation
from simulator.teaching.nrmp_trace import NRMPTrace, trace_nrmp
from simulator.teaching.nrmp_trace_text import format_nrmp_trace
from simulator.teaching.nrmp_why import NRMPExplanation
from simulator.teaching.result import check_applicants_propose
from simulator.teaching.sides import SideComparison, compare_sides, format_comparison
from simulator.teaching.smallmarket import SmallMarket
from simulator.teaching.soap import SoapLesson, format_soap, soap_lesson
from simulator.teaching.trace import Trace, format_trace, trace_market
from simulator.teaching.why import Explanation, explain_outcome
from simulator.teaching.why_text import format_explanation


@dataclass(frozen=True, slots=True, kw_only=True)
class Lesson:
    """A traced market and the answer to the question asked of it (at most one is set)."""

    market: SmallMarket
    trace: Trace | NRMPTrace
    comparison: SideComparison | None = None
    explanation: Explanation | NRMPExplanation | None = None
    manipulation: Manipulation | None = None
    soap: SoapLesson | None = None  # SOAP after the Match, when asked for

    def to_json(self) -> dict:
        """The trace's ``{"proposing", "rounds", "result"}``, plus ``"compare_sides"``,
        ``"why"`` or the manipulation's keys, and ``"soap"`` when asked for."""
        output = self.trace.to_json()
        if self.comparison is not None:
            output["compare_sides"] = self.comparison.to_json()
        elif self.explanation is not None:
            output["why"] = self.explanation.to_json()
        elif self.manipulation is not None:
            output.update(self.manipulation.to_json())
        if self.soap is not None:
            output["soap"] = self.soap.to_json()
        return output


def check_one_question(*, compare: bool, why, manipulate) -> None:
    """One question at a time: :class:`ScenarioError` naming the options asked together."""
    asked = [
        option
        for option, given in (
            ("--compare-sides", compare),
            ("--why", why is not None),
            ("--manipulate", manipulate is not None),
        )
        if given
    ]
    if len(asked) > 1:
        raise ScenarioError(
            message="use only one of --compare-sides, --why and --manipulate, "
            f"not {' and '.join(asked)}"
        )


def explain_market(
    market: SmallMarket,
    proposing: str = "applicants",
    *,
    compare: bool = False,
    why: str | None = None,
    manipulate: str | None = None,
    soap: bool = False,
) -> Lesson:
    """Trace ``market`` and answer the question asked: ``compare`` the two sides, ``why``
    NAME ended up where it did, or whether NAME could ``manipulate`` its way to better;
    with ``soap``, also play SOAP's rounds on what the Match left (:mod:`.soap`).

    Asking more than one raises :class:`~simulator.errors.ScenarioError` (see
    :func:`check_one_question`); so does an unknown name, naming the option
    ``--why`` or ``--manipulate``.
    """
    check_one_question(compare=compare, why=why, manipulate=manipulate)
    if market.nrmp_rules:
        check_applicants_propose(proposing)
        trace = trace_nrmp(market)
    else:
        trace = trace_market(market, proposing)
    after = soap_lesson(market, trace.result) if soap else None
    lesson = Lesson(market=market, trace=trace, soap=after)
    if compare:
        return replace(lesson, comparison=compare_sides(market))
    if why is not None:
        explanation = explain_outcome(market, why, proposing, option="--why")
        return replace(lesson, explanation=explanation)
    if manipulate is not None:
        search = manipulation_search(market, manipulate, proposing, option="--manipulate")
        return replace(lesson, manipulation=search)
    return lesson


def format_lesson(lesson: Lesson) -> str:
    """The answer in words, or, when nothing was asked, every round of the algorithm; then
    SOAP's rounds, when asked for."""
    soap = "" if lesson.soap is None else "\n\n" + format_soap(lesson.soap)
    if lesson.comparison is not None:
        return format_comparison(lesson.market, lesson.comparison) + soap
    if lesson.explanation is not None:
        return format_explanation(lesson.market, lesson.explanation) + soap
    if lesson.manipulation is not None:
        return format_manipulation(lesson.market, lesson.manipulation) + soap
    if isinstance(lesson.trace, NRMPTrace):
        return format_nrmp_trace(lesson.market, lesson.trace)
    return format_trace(lesson.market, lesson.trace) + soap
