"""The checks of the published tables, each file on its own and the files against each other.

:func:`check_tables` runs them all on the tables :func:`.published_files.read_table`
read; the first failure raises :class:`~simulator.errors.DataError` naming
the file, the line and column, and what is wrong.
"""

from __future__ import annotations

from simulator.errors import closest
from simulator.market.published_files import (
    MAIN_APPLICANT_TYPES,
    MARKET_COUNTS,
    MARKET_FIGURES,
    MARKET_RATES,
    STEP2CK_REQUIRED,
    STEP2CK_STATISTICS,
    Table,
)
from simulator.vocabulary import APPLICANT_TYPES, PROGRAM_KINDS, advanced_row_name

MATCH_RATE_TOLERANCE = 0.001
VISA_SUM_TOLERANCE = 0.002
#: Rates published as whole percents (86%) differ from their counts by up to half a point.
PERCENT_ROUNDING = 0.005


def _require_all(table: Table, column: str, expected) -> None:
    present = set(table.frame[column])
    for value in expected:
        if value not in present:
            table.fail(
                f"no row for {column} '{value}'; expected one row for each of "
                + ", ".join(expected)
            )


def _check_market_totals(table: Table) -> dict[str, float]:
    _require_all(table, "figure", MARKET_FIGURES)
    frame = table.frame
    rows = {figure: i for i, figure in enumerate(frame["figure"])}
    market = dict(zip(frame["figure"], frame["value"]))
    for figure in MARKET_COUNTS:
        if not float(market[figure]).is_integer():
            table.fail(
                f"{figure} is a count; expected a whole number, found {market[figure]:g}",
                row=rows[figure],
                column="value",
            )
    for figure in MARKET_RATES:
        if not 0.0 <= market[figure] <= 1.0:
            table.fail(
                f"expected a share between 0 and 1, found {market[figure]:g}",
                row=rows[figure],
                column="value",
            )
    for smaller, larger in (
        ("active_applicants", "registered_applicants"),
        ("pgy1_positions_offered", "positions_offered"),
        ("pgy1_positions_filled", "pgy1_positions_offered"),
    ):
        if market[smaller] > market[larger]:
            table.fail(
                f"{market[smaller]:,.0f} exceeds {larger} = {market[larger]:,.0f}",
                row=rows[smaller],
                column="value",
            )
    filled, offered = market["pgy1_positions_filled"], market["pgy1_positions_offered"]
    implied = filled / offered
    if abs(market["pgy1_fill_rate"] - implied) > MATCH_RATE_TOLERANCE:
        table.fail(
            f"{market['pgy1_fill_rate']:g} differs from pgy1_positions_filled / "
            f"pgy1_positions_offered = {filled:,.0f} / {offered:,.0f} = {implied:.4f} "
            f"by more than {MATCH_RATE_TOLERANCE:g}",
            row=rows["pgy1_fill_rate"],
            column="value",
        )
    return market


def _check_applicant_types(table: Table, market_table: Table, market: dict[str, float]) -> None:
    _require_all(table, "applicant_type", APPLICANT_TYPES)
    frame = table.frame
    for i in range(len(frame)):
        active = int(frame["active_applicants"].iat[i])
        matched = int(frame["matched_pgy1"].iat[i])
        rate = float(frame["match_rate"].iat[i])
        if matched > active:
            table.fail(
                f"{matched:,} matched exceed {active:,} active applicants",
                row=i,
                column="matched_pgy1",
            )
        if active == 0:
            table.fail(
                "expected at least 1 active applicant, found 0", row=i, column="active_applicants"
            )
        implied = matched / active
        if abs(rate - implied) > MATCH_RATE_TOLERANCE:
            table.fail(
                f"{rate:g} differs from matched_pgy1 / active_applicants = "
                f"{matched:,} / {active:,} = {implied:.4f} by more than {MATCH_RATE_TOLERANCE:g}",
                row=i,
                column="match_rate",
            )
    for column, figure in (
        ("active_applicants", "active_applicants"),
        ("matched_pgy1", "pgy1_positions_filled"),
    ):
        total = int(frame[column].sum())
        if total != int(market[figure]):
            table.fail(
                f"the five applicant types sum to {total:,}, but {market_table.name} gives "
                f"{figure} = {market[figure]:,.0f}",
                column=column,
            )


def _check_specialties(table: Table, market_name: str, market: dict[str, float]) -> list[str]:
    frame = table.frame
    for column, figure in (("positions", "pgy1_positions_offered"), ("programs", "programs")):
        total = int(frame[column].sum())
        if total > market[figure]:
            table.fail(
                f"the specialties sum to {total:,} {column}, more than {figure} = "
                f"{market[figure]:,.0f} in {market_name}",
                column=column,
            )
    for i in range(len(frame)):
        if frame["positions"].iat[i] > 0 and frame["programs"].iat[i] == 0:
            table.fail("positions are offered but there are 0 programs", row=i, column="programs")
    return [str(s) for s in frame["specialty"]]


def _check_advanced_positions(
    table: Table, names: list[str], specialties: Table, market: dict[str, float]
) -> None:
    """Advanced rows are new names, each linked to a specialty of ``specialties``; with the
    PGY-1 positions they make at most the positions offered."""
    _check_specialty_names(table, names, specialties, column="pgy1_specialty")
    frame = table.frame
    for i, (name, linked) in enumerate(zip(frame["specialty"], frame["pgy1_specialty"])):
        if name in names:
            table.fail(f"'{name}' is already a PGY-1 specialty of {specialties.name}", row=i)
        expected = advanced_row_name(linked)  # how you.advanced finds it
        if name != expected:
            table.fail(f"expected the name '{expected}' (its pgy1_specialty's)", row=i)
        if frame["positions"].iat[i] == 0 or frame["programs"].iat[i] == 0:
            table.fail("an advanced specialty needs positions and programs", row=i)
    offered = int(specialties.frame["positions"].sum()) + int(frame["positions"].sum())
    if offered > market["positions_offered"]:
        table.fail(
            f"with the PGY-1 positions they make {offered:,} positions, more than "
            f"positions_offered = {market['positions_offered']:,.0f}",
            column="positions",
        )


def _check_specialty_names(
    table: Table, names: list[str], specialties: Table, column: str = "specialty"
) -> None:
    known = set(names)
    for i, name in enumerate(table.frame[column]):
        if name not in known:
            table.fail(
                f"'{name}' is not a specialty of {specialties.name}{closest(name, names)}",
                row=i,
                column=column,
            )


def _check_specialty_applicants(
    table: Table, names: list[str], specialties: Table, types: Table
) -> None:
    _check_specialty_names(table, names, specialties)
    frame = table.frame
    present = set(zip(frame["specialty"], frame["applicant_type"]))
    for name in names:
        for kind in MAIN_APPLICANT_TYPES:
            if (name, kind) not in present:
                table.fail(
                    f"specialty '{name}' of {specialties.name} has no row for "
                    f"applicant_type '{kind}'"
                )
    active = dict(zip(types.frame["applicant_type"], types.frame["active_applicants"]))
    for i in range(len(frame)):
        kind = frame["applicant_type"].iat[i]
        count = int(frame["applicants"].iat[i])
        if count > active[kind]:
            table.fail(
                f"{count:,} {kind} applicants exceed the {int(active[kind]):,} active {kind} "
                f"applicants of {types.name}",
                row=i,
                column="applicants",
            )


def _check_step2ck_norms(table: Table) -> None:
    frame = table.frame
    present = set(zip(frame["group"], frame["statistic"]))
    for group, statistic in STEP2CK_REQUIRED:
        if (group, statistic) not in present:
            table.fail(f"no row for group '{group}' with statistic '{statistic}'")
    for i in range(len(frame)):
        kind = STEP2CK_STATISTICS[frame["statistic"].iat[i]]
        value = float(frame["value"].iat[i])
        if kind == "score" and not (1.0 <= value <= 300.0 and value.is_integer()):
            table.fail(
                f"expected a whole Step 2 CK score from 1 to 300, found {value:g}",
                row=i,
                column="value",
            )
        if kind == "positive" and value <= 0.0:
            table.fail(f"expected a number above 0, found {value:g}", row=i, column="value")
        if kind == "share" and not 0.0 <= value <= 1.0:
            table.fail(f"expected a share between 0 and 1, found {value:g}", row=i, column="value")


def _check_step2ck_percentiles(table: Table) -> None:
    frame = table.frame
    if "lcme_first_takers" not in set(frame["group"]):
        table.fail("no rows for group 'lcme_first_takers'")
    for group in frame["group"].unique():
        rows = sorted(
            (int(frame["score"].iat[i]), i)
            for i in range(len(frame))
            if frame["group"].iat[i] == group
        )
        for (low_score, low), (high_score, high) in zip(rows, rows[1:]):
            if frame["percentile"].iat[high] < frame["percentile"].iat[low]:
                table.fail(
                    f"{frame['percentile'].iat[high]:g} at score {high_score} is below "
                    f"{frame['percentile'].iat[low]:g} at score {low_score}; percentiles must "
                    "not fall as the score rises",
                    row=high,
                    column="percentile",
                )


def _check_visa_policies(table: Table, names: list[str], specialties: Table) -> None:
    _check_specialty_names(table, names, specialties)
    frame = table.frame
    for specialty in frame["specialty"].unique():
        rows = [i for i in range(len(frame)) if frame["specialty"].iat[i] == specialty]
        total = float(frame["share"].iloc[rows].sum())
        if abs(total - 1.0) > VISA_SUM_TOLERANCE:
            table.fail(
                f"the shares of specialty '{specialty}' sum to {total:.3f}; expected 1 within "
                f"{VISA_SUM_TOLERANCE:g}",
                column="share",
            )
        sizes = frame["n_programs"].iloc[rows]
        for i in rows:
            if frame["n_programs"].iat[i] == 0:
                table.fail(
                    "expected the number of programs surveyed, found 0", row=i, column="n_programs"
                )
            if frame["n_programs"].iat[i] != sizes.iat[0]:
                table.fail(
                    f"{frame['n_programs'].iat[i]} differs from {sizes.iat[0]} on line "
                    f"{table.lines[rows[0]]}; n_programs is the size of one survey",
                    row=i,
                    column="n_programs",
                )


def _check_charting_outcomes(table: Table, names: list[str], specialties: Table) -> None:
    """Published names map one-to-one onto the model's; rates and quartiles agree."""
    _check_specialty_names(table, names, specialties, column="model_specialty")
    frame = table.frame
    first: dict[str, int] = {}
    for i, name in enumerate(frame["model_specialty"]):
        if name in first:
            table.fail(
                f"'{name}' is also the model specialty of line {table.lines[first[name]]}; "
                "each model specialty stands for one published specialty",
                row=i,
                column="model_specialty",
            )
        first[name] = i
    for i in range(len(frame)):
        matched, unmatched = (
            int(frame["matched_preferred"].iat[i]),
            int(frame["not_matched"].iat[i]),
        )
        if matched + unmatched == 0:
            table.fail("expected at least 1 applicant, found 0", row=i, column="matched_preferred")
        implied = matched / (matched + unmatched)
        rate = float(frame["match_rate_preferred"].iat[i])
        if abs(rate - implied) > PERCENT_ROUNDING:
            table.fail(
                f"{rate:g} differs from matched_preferred / (matched_preferred + not_matched) "
                f"= {matched:,} / {matched + unmatched:,} = {implied:.4f} by more than "
                f"{PERCENT_ROUNDING:g}",
                row=i,
                column="match_rate_preferred",
            )
        for group in ("matched", "not_matched"):
            if f"ranks_{group}_median" not in frame:
                continue
            q1, median, q3 = (frame[f"ranks_{group}_{q}"].iat[i] for q in ("q1", "median", "q3"))
            if not q1 <= median <= q3:
                table.fail(
                    f"expected q1 <= median <= q3, found {q1:g}, {median:g}, {q3:g}",
                    row=i,
                    column=f"ranks_{group}_median",
                )


def _check_img_share(table: Table) -> None:
    _require_all(table, "program_kind", PROGRAM_KINDS)
    frame = table.frame
    for i in range(len(frame)):
        low, high = frame["img_share_low"].iat[i], frame["img_share_high"].iat[i]
        if low > high:
            table.fail(f"{low:g} is above img_share_high = {high:g}", row=i, column="img_share_low")


def check_tables(tables: dict[str, Table]) -> None:
    """Check every table (keyed by :class:`~.published.PublishedData` field) and their agreement."""
    market = _check_market_totals(tables["market_totals"])
    _check_applicant_types(tables["applicant_types"], tables["market_totals"], market)
    names = _check_specialties(tables["specialties"], tables["market_totals"].name, market)
    _check_specialty_applicants(
        tables["specialty_applicants"], names, tables["specialties"], tables["applicant_types"]
    )
    _check_advanced_positions(tables["advanced_positions"], names, tables["specialties"], market)
    _check_step2ck_norms(tables["step2ck_norms"])
    _check_step2ck_percentiles(tables["step2ck_percentiles"])
    _check_specialty_names(tables["applicants_ranked_per_position"], names, tables["specialties"])
    _check_visa_policies(tables["visa_policies"], names, tables["specialties"])
    _check_img_share(tables["img_share_of_positions"])
    # Applicants preferring a specialty that mostly starts at PGY-2 seek its advanced row.
    modelled = names + [str(s) for s in tables["advanced_positions"].frame["specialty"]]
    for field in ("charting_outcomes_us_md", "charting_outcomes_non_us_img"):
        _check_charting_outcomes(tables[field], modelled, tables["specialties"])
    _check_specialty_names(tables["signal_counts"], names, tables["specialties"])
    _check_signal_effects(tables["signal_effects"], names, tables["specialties"])


def _check_signal_effects(table: Table, names: list[str], specialties: Table) -> None:
    """Specialty names (or ``all``); rates are shares; each odds-ratio range has low <= high."""
    frame = table.frame
    for i, (figure, name, value) in enumerate(zip(frame.figure, frame.specialty, frame.value)):
        if name != "all" and name not in names:
            table.fail(
                f"'{name}' is neither 'all' nor a specialty of {specialties.name}"
                f"{closest(name, names)}",
                row=i,
                column="specialty",
            )
        if figure.endswith("_rate") and value > 1:
            table.fail(f"a rate must be a share in [0, 1], found {value}", row=i, column="value")
    ranges = frame.set_index(["figure", "specialty"]).value
    for (figure, name), low in ranges.items():
        if figure.endswith("_low") and low > ranges.get((figure[:-4] + "_high", name), low):
            table.fail(f"{figure} of {name} is above its _high figure", column="value")
