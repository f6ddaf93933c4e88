"""``report.html``: written by every run, compare and sweep, self-contained, with your numbers,
your funnel, the charts and what the model assumes.

Studies use a 3%-scale market, 2 trials and 8 copies of you.
"""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import simulator as ms
from simulator.report.funnel import format_signals
from simulator.report.html import REPORT
from simulator.report.html_parts import sentences

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"trials": 2, "seed": 5, "market.scale": 0.03, "market.focal_copies": 8}


class Page(HTMLParser):
    """What a page holds: its tags with their attributes, and its text (also by section)."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.sections: dict[str, list[str]] = {}
        self.current: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "section":
            self.current = self.sections.setdefault(dict(attrs)["id"], [])

    def handle_endtag(self, tag):
        if tag == "section":
            self.current = None

    def handle_data(self, data):
        self.text.append(data)
        if self.current is not None:
            self.current.append(data)

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}

    def words(self) -> str:
        return " ".join(" ".join(self.text).split())

    def section(self, key: str) -> str:
        """The words of the section whose id is ``key``."""
        return " ".join(" ".join(self.sections[key]).split())


def load(name: str, **more):
    return ms.load_scenario(ROOT / "scenarios" / name, overrides={**SMALL, **more})


@pytest.fixture(scope="module")
def run_result(tmp_path_factory):
    scenario = load("us-img-family-medicine.toml")
    return ms.run(scenario, workers=1, out=tmp_path_factory.mktemp("run") / "out")


@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "out"
    ms.compare(load("compare-usce.toml"), workers=1, out=out)
    return out


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "out"
    ms.sweep(load("img-internal-medicine.toml"), "you.step2ck", [230, 250], workers=1, out=out)
    return out


def assert_self_contained(page: Page, text: str) -> None:
    """Nothing on the page is fetched: no scripts, style sheets, frames or remote pictures."""
    assert not [tag for tag, _ in page.tags if tag in ("script", "link", "iframe", "object")]
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            if name in attrs:
                assert attrs[name].startswith(("data:image/png;base64,", "#")), (tag, attrs)
    assert "url(" not in text and "@import" not in text


def pictures(page: Page) -> list[bytes]:
    return [
        base64.b64decode(attrs["src"].split(",", 1)[1]) for tag, attrs in page.tags if tag == "img"
    ]


def test_a_run_writes_a_self_contained_report_with_your_numbers(run_result):
    text = (run_result.folder / REPORT).read_text(encoding="utf-8")
    page = Page(text)
    assert_self_contained(page, text)
    assert {
        "chances",
        "like-you",
        "profile",
        "funnel",
        "ranks",
        "charts",
        "types",
        "assumptions",
    } <= page.ids()
    headline = next(a for t, a in page.tags if a.get("id") == "p-match")
    you = run_result.you
    assert (int(headline["data-k"]), int(headline["data-n"])) == (you.k, you.n)
    words = page.words()
    assert f"{100 * you.p:.1f}%" in words
    assert "matched in Psychiatry (backup)" in words  # the backup's share
    assert "Of your " in words and " applications, " in words  # the funnel in words
    assert "not read: visa" in words and "programs ranked" in words  # ... and as a table
    assert "rests on parameters the model assumes" in words and "selection.ysg_weight" in words


def test_the_run_report_says_what_your_signals_did_and_how_signals_work(run_result):
    summary = json.loads((run_result.folder / "summary.json").read_text())
    focal = summary["focal"]
    assert focal["signals"]["sent"]["mean"] > 0  # the specialty allows signals: all are sent
    page = Page((run_result.folder / REPORT).read_text(encoding="utf-8"))
    funnel = page.section("funnel")
    for sentence in sentences(format_signals(focal["signals"], focal["mean_interviews"])):
        assert sentence in funnel
    assert "preference signals sent" in funnel and "programs you signalled" in funnel
    assert f"signals sent {focal['signals']['sent']['mean']:.1f}" in funnel  # ... and a table
    profile = page.section("profile")
    assert "preference signals per specialty all my specialty allows" in profile
    assert "home region like most applicants (drawn at random)" in profile
    assert "reach programs" not in profile  # the shares are read only with "shares"
    rates = summary["signals_by_specialty"]
    assert rates and "signals-by-specialty" in page.ids()
    types = page.section("types")
    for name, r in rates.items():
        row = (
            f"{name} {r['signalled']:,} {r['invited_signalled_pct']:.1f}% "
            f"{r['not_signalled']:,} {r['invited_not_signalled_pct']:.1f}%"
        )
        assert row in types, name


def test_without_signals_the_report_has_no_signal_sentence(tmp_path):
    result = ms.run(
        load("us-img-family-medicine.toml", **{"you.signals": 0}), workers=1, out=tmp_path / "o"
    )
    page = Page((result.folder / REPORT).read_text(encoding="utf-8"))
    assert "Of your " in page.section("funnel")
    assert "signalled" not in page.section("funnel")
    assert "preference signals per specialty none" in page.section("profile")


def test_the_run_report_embeds_every_picture_the_run_drew(run_result):
    drawn = {p.read_bytes() for p in run_result.folder.glob("*.png")}
    embedded = pictures(Page((run_result.folder / REPORT).read_text(encoding="utf-8")))
    assert len(drawn) == 3 and set(embedded) == drawn  # funnel and two charts, byte for byte


def test_the_report_and_summary_json_say_the_same(run_result):
    summary = json.loads((run_result.folder / "summary.json").read_text())
    words = Page((run_result.folder / REPORT).read_text(encoding="utf-8")).words()
    for name, figures in summary["by_type"].items():
        assert re.search(rf"{name} {100 * figures['p_match']['p']:.1f}%", words), name
    for note in summary["notes"]:
        assert " ".join(note.split()) in words
    like = summary["applicants_like_you"]  # a US-citizen IMG: the type's rate, no table
    assert f"{100 * like['match_rate']['model']['p']:.1f}%" in words
    assert "no published figure" in words


def test_compare_and_sweep_write_a_report_with_funnels_and_their_chart(
    compare_folder, sweep_folder
):
    for folder, picture, record in (
        (compare_folder, "comparison.png", "comparison.json"),
        (sweep_folder, "sweep.png", "sweep.json"),
    ):
        text = (folder / REPORT).read_text(encoding="utf-8")
        page = Page(text)
        assert_self_contained(page, text)
        assert {"chances", "funnel", "charts", "like-you", "assumptions"} <= page.ids()
        assert pictures(page) == [(folder / picture).read_bytes()]
        assert "Applicants like you, in the population of this run: non-US IMGs" in page.words()
        assert "not read: Step 2 CK cut-off" in page.words()
        assert "interviews at programs you signalled" in page.section("funnel")  # by variant
        assert json.loads((folder / record).read_text())["seed"] == 5  # the records are kept


def test_compare_report_names_every_strategy_and_what_its_effect_rests_on(compare_folder):
    record = json.loads((compare_folder / "comparison.json").read_text())
    words = Page((compare_folder / REPORT).read_text(encoding="utf-8")).words()
    for strategy in record["strategies"]:
        assert strategy["name"] in words
        if "verdict" in strategy:
            assert " ".join(strategy["verdict"].split()) in words
    assert "The effect of 3 months hands-on rests on parameters the model assumes" in words
    assert "selection.usce_hands_on_weight" in words


def test_a_report_escapes_what_the_user_wrote(tmp_path):
    scenario = tmp_path / "odd.toml"
    source = (ROOT / "scenarios" / "img-internal-medicine.toml").read_text(encoding="utf-8")
    scenario.write_text(
        source.replace('description = "', 'description = "<script>alert(1)</script> '),
        encoding="utf-8",
    )
    result = ms.run(ms.load_scenario(scenario, overrides=SMALL), workers=1, out=tmp_path / "o")
    text = (result.folder / REPORT).read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
