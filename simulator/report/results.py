"""What a study returns: results that print readably in a terminal and as tables in a notebook.

A :class:`RunResult` holds your chance and every applicant type's, with
their intervals, and the run's tables; a :class:`ComparisonResult` one row
per strategy; a :class:`SweepResult` one row per value.  All are built by
:mod:`simulator.api`; their text is the same the command line prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from simulator.report.text import format_comparison, format_run_summary, format_sweep
from simulator.stats import Proportion

#: Columns of :attr:`RunResult.by_type`.
BY_TYPE_COLUMNS = ("p_match", "ci_low", "ci_high", "n", "p_match_preferred", "p_soap", "p_placed")


@dataclass(frozen=True, kw_only=True, eq=False)
class RunResult:
    """The outcome of ``matchsim run``: your chances, every type's, and the tables.

    ``summary`` holds the :class:`~simulator.stats.Proportion` estimates
    (``focal``, ``by_type``, ``fill_rate``) and ``record`` is ``summary.json``.
    The tables are read from ``folder`` when first used, unless given.
    """

    title: str
    summary: dict
    record: dict
    folder: Path | None = None
    tables: dict = field(default_factory=dict, repr=False)

    @property
    def you(self) -> Proportion:
        """Your probability of matching (any specialty), with its interval and n."""
        return self.summary["focal"]["p_match"]

    @cached_property
    def by_type(self) -> pd.DataFrame:
        """One row per applicant type: p_match, ci_low, ci_high, n, p_match_preferred, and the
        chances of a position through SOAP (p_soap) and at all (p_placed)."""
        rows = {
            name: {
                "p_match": chances["p_match"].p,
                "ci_low": chances["p_match"].ci_low,
                "ci_high": chances["p_match"].ci_high,
                "n": chances["p_match"].n,
                "p_match_preferred": chances["p_match_preferred"].p,
                "p_soap": chances["p_soap"].p,
                "p_placed": chances["p_placed"].p,
            }
            for name, chances in self.summary["by_type"].items()
        }
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(BY_TYPE_COLUMNS))
        frame.index.name = "applicant_type"
        return frame

    @property
    def applicants(self) -> pd.DataFrame:
        """One row per applicant per trial: the table of ``applicants.parquet``."""
        return self._table("applicants")

    @property
    def programs(self) -> pd.DataFrame:
        """One row per program per trial: the table of ``programs.parquet``."""
        return self._table("programs")

    def _table(self, name: str) -> pd.DataFrame:
        if name not in self.tables:
            self.tables[name] = pd.read_parquet(Path(self.folder) / f"{name}.parquet")
        return self.tables[name]

    def to_text(self, *, all_types: bool = False) -> str:
        """What ``matchsim run`` prints: your chances and funnel; with ``all_types``, every
        applicant type's chance and the fill rate too."""
        you = self.record.get("scenario", {}).get("you")
        return format_run_summary(self.summary, title=self.title, you=you, all_types=all_types)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        you = self.you
        return (
            f"<p><b>{_escape(self.title)}</b></p><p>you: {you.p:.1%} "
            f"(95% CI {you.ci_low:.1%}–{you.ci_high:.1%}, n={you.n:,})</p>"
            + self.by_type.to_html(float_format=lambda x: f"{x:.3f}")
        )


class _Estimates:
    """What a comparison and a sweep share: their text, and their table in a notebook."""

    def _text(self, format_function, estimates, all_types: bool) -> str:
        return format_function(
            estimates,
            title=self.title,
            assumptions=self.assumptions,
            notes=self.notes,
            all_types=all_types,
            like_you=self.like_you,
        )

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return f"<p><b>{_escape(self.title)}</b></p>" + self.table.to_html()


@dataclass(frozen=True, kw_only=True, eq=False)
class ComparisonResult(_Estimates):
    """The outcome of ``matchsim compare``: each strategy's chances and its paired difference.

    ``comparison`` holds the estimates; ``record`` is ``comparison.json``;
    :attr:`table` has one row per strategy with the columns of its
    ``strategies`` records.
    """

    title: str
    comparison: object
    record: dict
    folder: Path | None = None
    #: For each strategy after the first, the assumed parameters its difference rests on.
    assumptions: dict = field(default_factory=dict)
    #: What a reader should be told about these answers (a scale that changes them ...).
    notes: tuple = ()
    #: Strategy -> how the model does for applicants like you (``applicants_like_you``).
    like_you: dict = field(default_factory=dict)

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per strategy: the columns of ``comparison.json``'s strategy records."""
        return pd.DataFrame(self.record["strategies"])

    def to_text(self, *, all_types: bool = False) -> str:
        """What ``matchsim compare`` prints; ``all_types``: every column (n, every interval)."""
        return self._text(format_comparison, self.comparison, all_types)


@dataclass(frozen=True, kw_only=True, eq=False)
class SweepResult(_Estimates):
    """The outcome of ``matchsim sweep``: your chance at each value, paired with the first.

    ``sweep`` holds the estimates, ``table`` the rows of ``sweep.csv`` and
    ``record`` is ``sweep.json``.
    """

    title: str
    sweep: object
    table: pd.DataFrame
    record: dict
    folder: Path | None = None
    #: The assumed parameters the swept key's effect rests on.
    assumptions: tuple = ()
    #: What a reader should be told about these answers (a scale that changes them ...).
    notes: tuple = ()
    #: Value -> how the model does for applicants like you (``applicants_like_you``).
    like_you: dict = field(default_factory=dict)

    def to_text(self, *, all_types: bool = False) -> str:
        """What ``matchsim sweep`` prints; ``all_types``: every column (n, every interval)."""
        return self._text(format_sweep, self.sweep, all_types)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
