"""The published figures of the Match, loaded from the CSV files in ``data/`` and checked.

Every figure the simulator is calibrated against lives in one tidy CSV file
in the repository's ``data/`` directory (shipped inside the package as
``simulator.published``), with a ``source`` column naming the publication,
year and table it was copied from.  :func:`load_published` reads all of
them into one frozen :class:`PublishedData`, after checking

1. each file on its own: the columns are exactly the expected ones, counts
   are whole numbers, shares lie in [0, 1], categorical columns hold known
   values, no key is repeated, and every row names its source;
2. the files against each other: specialty names exist in
   ``specialties_2025.csv``, each match rate equals matched / active within
   0.001, the five applicant types add up to the market totals, visa-policy
   shares add up to 1 within 0.002, each Charting Outcomes specialty maps
   onto one specialty of the model (its ``model_specialty`` column), and so on.

A file that fails a check raises :class:`~simulator.errors.DataError`
with one line naming the file, the line and column, and what is wrong.
The tables handed out are shared by every caller of the cached default
load: treat them as read-only.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.errors import DataError, closest
from simulator.market.published_checks import check_tables
from simulator.market.published_files import (
    DATA_FILES,
    MAIN_APPLICANT_TYPES,
    MARKET_COUNTS,
    SCHEMAS,
    read_table,
)
from simulator.vocabulary import APPLICANT_TYPES, VISA_POLICIES

__all__ = ["PublishedData", "load_published"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PublishedData:
    """All published figures, one DataFrame per file of ``data/`` (see its README).

    Columns are as in the files; counts are ``int64``, shares and other
    figures ``float64``.  The accessors below return fresh Series or plain
    numbers keyed by the tables' natural keys.
    """

    directory: Path
    applicant_types: pd.DataFrame
    market_totals: pd.DataFrame
    specialties: pd.DataFrame
    advanced_positions: pd.DataFrame
    specialty_applicants: pd.DataFrame
    step2ck_norms: pd.DataFrame
    step2ck_percentiles: pd.DataFrame
    applications_per_applicant: pd.DataFrame
    applicants_ranked_per_position: pd.DataFrame
    visa_policies: pd.DataFrame
    img_share_of_positions: pd.DataFrame
    charting_outcomes_us_md: pd.DataFrame
    charting_outcomes_non_us_img: pd.DataFrame
    signal_counts: pd.DataFrame
    signal_effects: pd.DataFrame

    # -- specialties ---------------------------------------------------------
    @property
    def specialty_names(self) -> tuple[str, ...]:
        """The specialties of ``specialties_2025.csv``, in file order."""
        return tuple(str(s) for s in self.specialties["specialty"])

    @property
    def positions_by_specialty(self) -> pd.Series:
        """PGY-1 positions offered per specialty (``int64``, indexed by specialty)."""
        return self.specialties.set_index("specialty")["positions"].copy()

    @property
    def programs_by_specialty(self) -> pd.Series:
        """Programs per specialty (``int64``, indexed by specialty)."""
        return self.specialties.set_index("specialty")["programs"].copy()

    @property
    def specialty_applicants_wide(self) -> pd.DataFrame:
        """Applicants who ranked each specialty: specialties × the four main types."""
        wide = self.specialty_applicants.pivot(
            index="specialty", columns="applicant_type", values="applicants"
        )
        wide = wide.reindex(index=list(self.specialty_names), columns=list(MAIN_APPLICANT_TYPES))
        wide.columns.name = None
        return wide.astype("int64")

    # -- applicant types -----------------------------------------------------
    @property
    def applicants_by_type(self) -> pd.Series:
        """Active applicants (certified a rank-order list) per applicant type."""
        return self._by_type("active_applicants")

    @property
    def matched_by_type(self) -> pd.Series:
        """Applicants matched to a PGY-1 position per applicant type."""
        return self._by_type("matched_pgy1")

    @property
    def match_rate_by_type(self) -> pd.Series:
        """Published PGY-1 match rate per applicant type."""
        return self._by_type("match_rate")

    def _by_type(self, column: str) -> pd.Series:
        series = self.applicant_types.set_index("applicant_type")[column]
        return series.reindex(list(APPLICANT_TYPES)).copy()

    # -- single figures ------------------------------------------------------
    def market(self, figure: str) -> int | float:
        """One figure of ``market_totals_2025.csv``: an ``int`` for counts, else a ``float``."""
        values = self.market_totals.set_index("figure")["value"]
        if figure not in values.index:
            raise KeyError(f"unknown market figure {figure!r}{closest(figure, values.index)}")
        value = float(values[figure])
        return int(value) if figure in MARKET_COUNTS else value

    def step2ck(self, group: str, statistic: str) -> float:
        """One figure of ``step2ck_norms.csv``, e.g. ``step2ck("lcme_first_takers", "sd")``."""
        rows = self.step2ck_norms
        hit = rows[(rows["group"] == group) & (rows["statistic"] == statistic)]
        if hit.empty:
            known = [f"{g}/{s}" for g, s in zip(rows["group"], rows["statistic"])]
            raise KeyError(
                f"no Step 2 CK figure {group}/{statistic}{closest(f'{group}/{statistic}', known)}"
            )
        return float(hit["value"].iloc[0])

    @property
    def preferred_step2ck(self) -> pd.DataFrame:
        """Step 2 CK of the applicants preferring each specialty, from Charting Outcomes.

        One row per (``applicant_type``, ``specialty``) the tables cover: the
        ``applicants`` and the ``mean`` (and, for non-US IMGs, the ``sd``) of
        the matched-to-preferred and not-matched groups pooled (those matched in
        another specialty are in neither group, as in the tables).  Non-US IMGs
        preferring Internal Medicine, which the 2026 table lacks, take
        ``step2ck_norms.csv``'s figures.
        """
        rows = []
        for kind, table in (
            ("us_md", self.charting_outcomes_us_md),
            ("non_us_img", self.charting_outcomes_non_us_img),
        ):
            n1, n2 = table["matched_preferred"], table["not_matched"]
            m1, m2 = table["step2ck_matched_mean"], table["step2ck_not_matched_mean"]
            mean = (n1 * m1 + n2 * m2) / (n1 + n2)
            if "step2ck_matched_sd" in table:
                s1, s2 = table["step2ck_matched_sd"], table["step2ck_not_matched_sd"]
                within = (n1 * s1**2 + n2 * s2**2) / (n1 + n2)
                sd = np.sqrt(within + n1 * n2 * (m1 - m2) ** 2 / (n1 + n2) ** 2)
            else:
                sd = np.full(len(table), np.nan)
            rows.append(
                pd.DataFrame(
                    {
                        "applicant_type": kind,
                        "specialty": table["model_specialty"],
                        "applicants": n1 + n2,
                        "mean": mean,
                    }
                ).assign(sd=np.asarray(sd, dtype=float))
            )
        internal_medicine = "Internal Medicine (Categorical)"
        rows.append(
            pd.DataFrame(
                {
                    "applicant_type": ["non_us_img"],
                    "specialty": [internal_medicine],
                    "applicants": [np.nan],
                    "mean": [self.step2ck("non_us_img_internal_medicine", "mean")],
                    "sd": [self.step2ck("non_us_img_internal_medicine", "sd")],
                }
            )
        )
        return pd.concat(rows, ignore_index=True)

    @property
    def step2ck_passing_score(self) -> int:
        """The Step 2 CK passing score in force (218 from 1 July 2025)."""
        return int(self.step2ck("all_examinees", "passing_score"))

    def step2ck_percentile_table(self, group: str = "lcme_first_takers") -> pd.Series:
        """Percentile rank (0–100) by Step 2 CK score for ``group``, indexed by score."""
        rows = self.step2ck_percentiles[self.step2ck_percentiles["group"] == group]
        if rows.empty:
            groups = self.step2ck_percentiles["group"].unique()
            raise KeyError(f"no Step 2 CK percentile table for {group!r}{closest(group, groups)}")
        return rows.set_index("score")["percentile"].sort_index().copy()

    def visa_shares(self, specialty: str = "Internal Medicine (Categorical)") -> pd.Series:
        """Share of a specialty's programs by visa policy (``none``, ``j1``, ``j1_h1b``)."""
        rows = self.visa_policies[self.visa_policies["specialty"] == specialty]
        if rows.empty:
            known = self.visa_policies["specialty"].unique()
            raise KeyError(f"no visa policies for {specialty!r}{closest(specialty, known)}")
        return rows.set_index("policy")["share"].reindex(list(VISA_POLICIES)).copy()

    def odds_ratio_range(self, effect: str = "signal") -> tuple[float, float]:
        """The published range of the odds ratio of an interview over specialties, for
        ``signal``, ``geographic`` or ``in_state`` (``signal_effects.csv``)."""
        figures = self.signal_effects.set_index(["figure", "specialty"])["value"]
        return (
            float(figures[f"{effect}_odds_ratio_low", "all"]),
            float(figures[f"{effect}_odds_ratio_high", "all"]),
        )


def load_published(directory: str | os.PathLike[str] | None = None) -> PublishedData:
    """Read and check every published table.

    ``directory`` defaults to the data shipped with the package; the default
    load is cached, so repeated calls return the same object.  An explicit
    directory (a corrected or experimental copy) is read afresh each time.
    Raises :class:`~simulator.errors.DataError` naming the file, line and
    column of the first problem found.
    """
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@functools.lru_cache(maxsize=1)
def _load_default() -> PublishedData:
    return _load(default_data_directory())


def default_data_directory() -> Path:
    """The ``simulator.published`` package directory, else ``data/`` of a source tree."""
    try:
        from importlib import resources

        root = resources.files("simulator.published")
    except ModuleNotFoundError:
        root = None
    if isinstance(root, Path) and (root / DATA_FILES["specialties"]).is_file():
        return root
    source_tree = Path(__file__).resolve().parents[2] / "data"  # simulator/market/ -> root
    if (source_tree / DATA_FILES["specialties"]).is_file():
        return source_tree
    raise DataError(
        file=source_tree,
        message="the published data files are not installed (reinstall matchsim)",
    )


def _load(directory: Path) -> PublishedData:
    if not directory.is_dir():
        raise DataError(file=directory, message="not a directory of published data")
    tables = {field: read_table(directory, field) for field in SCHEMAS}
    check_tables(tables)
    return PublishedData(directory=directory, **{f: t.frame for f, t in tables.items()})
