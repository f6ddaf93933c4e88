"""The local web app through Flask's test client: the form, its errors beside the fields, a run
and a comparison end to end, the teaching page, and what it refuses.

Runs use a 5%-scale market, 2 trials and 16 copies of you, in this process (one worker).
"""

from __future__ import annotations

import json
import re
import sys
import time
import tomllib
from fnmatch import fnmatch
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("flask", reason="the web app needs the optional extra matchsim[web]")

import simulator as ms  # noqa: E402
from simulator.scenario.template import check_text  # noqa: E402
from simulator.teaching import load_market  # noqa: E402
from simulator.web import make_server  # noqa: E402
from simulator.web.app import create_app  # noqa: E402
from simulator.web.forms import SETTINGS, profile_fields, read_form  # noqa: E402
from simulator.web.lessons import lesson_data, shipped_lessons  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"trials": "2", "seed": "3", "market.scale": "0.05", "market.focal_copies": "16"}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def client(home):
    return create_app(home, workers=1).test_client()


def page_text(response) -> str:
    return unescape(response.get_data(as_text=True))


def error_beside(response, field: str) -> str:
    """The message shown beside ``field``, or ``""``."""
    found = re.search(rf'id="error-{re.escape(field)}">([^<]*)<', response.get_data(as_text=True))
    return unescape(found.group(1)) if found else ""


class FormValues(HTMLParser):
    """What a form page shows in each field: an input's value, a list's selected choice."""

    def __init__(self, text: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self.select = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and "selected" in attrs:
            self.values[self.select] = attrs["value"]


def form_values(response) -> dict[str, str]:
    return FormValues(response.get_data(as_text=True)).values


def finish(client, location: str, timeout: float = 60) -> dict:
    """Poll a job's status until it has finished or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"{location}/status").get_json()
        if status["state"] in ("finished", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"{location} did not finish in {timeout} s")


def test_the_form_offers_every_field_with_its_default(client):
    text = client.get("/").get_data(as_text=True)
    for field in (*profile_fields(), *SETTINGS):
        assert f'name="{field.key}"' in text, field.key
    assert 'value="Internal Medicine (Categorical)" selected' in text
    assert 'name="trials" value="4"' in text and 'name="market.scale" value="0.25"' in text


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"you.step2ck": "900"}, "you.step2ck", "expected an integer from 1 to 300, found 900"),
        ({"you.step2ck": ""}, "you.step2ck", "expected an integer from 1 to 300, found ''"),
        ({"trials": "0"}, "trials", "expected an integer from 1 to 100000, found 0"),
        (
            {"you.type": "us_md", "you.visa": "j1"},
            "you.visa",
            "expected 'none' (only non-US IMGs need a visa; you.type is 'us_md'), found 'j1'",
        ),
        (
            {"strategy1.name": "rank 2", "strategy1.key": "you.rank_list_length"},
            "strategy1.value",
            "expected an integer from 0 to 200, found ''",
        ),
        ({"strategy2.value": "5"}, "strategy2.name", "give this strategy a name"),
        (
            {
                "strategy1.name": "a",
                "strategy1.key": "you.applications",
                "strategy1.value": "50",
                "strategy2.name": "a",
                "strategy2.key": "you.applications",
                "strategy2.value": "60",
            },
            "strategy2.name",
            "another strategy has this name: give each its own",
        ),
        (
            {
                "strategy1.name": "more",
                "strategy1.key": "you.usce_months",
                "strategy1.value": "5",
                "you.usce_kind": "none",
                "you.usce_months": "0",
            },
            "strategy1.value",
            "expected 0 when you.usce_kind is 'none', found 5.0",
        ),
        (
            {"you.signal_policy": "shares", "you.signal_reach_share": "1.5"},
            "you.signal_reach_share",
            "expected a number from 0 to 1, found 1.5",
        ),
        (
            {"you.signal_reach_share": "0.8", "you.signal_safer_share": "0.8"},
            "you.signal_safer_share",
            "expected at most 0.2 (1 - you.signal_reach_share; the two shares add up to at "
            "most 1), found 0.8",
        ),
        (
            {
                "strategy1.name": "best",
                "strategy1.key": "you.signal_policy",
                "strategy1.value": "best",
            },
            "strategy1.value",
            "expected one of most_preferred, best_chance, spread, shares, found 'best'",
        ),
    ],  # fmt: skip
)
def test_bad_input_gets_a_message_beside_its_field(client, form, field, message):
    response = client.post("/run", data={**SMALL, **form})
    assert response.status_code == 400
    assert error_beside(response, field) == message
    assert "Traceback" not in page_text(response)
    for key, value in form.items():  # what was typed is kept
        assert f'name="{key}"' in page_text(response) and (
            f'value="{value}"' in page_text(response)
            or f'"{value}" selected' in page_text(response)
        )


#: Signals and geography as a form sends them, none of them the default.
SIGNALS = {
    "you.signals": "5",
    "you.signal_policy": "shares",
    "you.signal_reach_share": "0.1",
    "you.signal_safer_share": "0.6",
    "you.home_region": "pacific",
    "you.geographic_preference": "none",
}


def test_signals_and_geography_go_into_the_scenario_and_back_onto_the_form(client):
    text, compare, errors = read_form({**SMALL, **SIGNALS})
    assert errors == {} and not compare
    you = check_text(text, "the test").you
    assert (you.signals, you.signal_policy, you.home_region, you.geographic_preference) == (
        5, "shares", "pacific", "none",
    )  # fmt: skip
    assert (you.signal_reach_share, you.signal_safer_share) == (0.1, 0.6)
    response = client.post("/run", data={**SMALL, **SIGNALS, "you.step2ck": "0"})
    assert response.status_code == 400 and error_beside(response, "you.step2ck")
    shown = form_values(response)  # kept as chosen while another field is corrected
    assert {key: shown[key] for key in SIGNALS} == SIGNALS


def test_the_signal_shares_are_marked_as_read_only_with_shares(client):
    text = client.get("/").get_data(as_text=True)
    for key in ("you.signal_reach_share", "you.signal_safer_share"):
        field = re.search(rf'<div class="([^"]*)">\s*<label for="{re.escape(key)}"', text)
        assert "only-for-shares" in field.group(1).split(), key
    assert '<option value="shares">' in text  # the policy that reads them is offered


def test_a_strategy_may_change_where_your_signals_go(client):
    form = {**SMALL, "strategy1.name": "none", "strategy1.key": "you.signals",
            "strategy1.value": "0", "strategy2.name": "best", "strategy2.key":
            "you.signal_policy", "strategy2.value": "best_chance"}  # fmt: skip
    text, compare, errors = read_form(form)
    assert errors == {} and compare
    baseline, none, best = check_text(text, "the test").strategies
    assert (baseline.you.signals, baseline.you.signal_policy) == (-1, "most_preferred")
    assert (none.name, none.you.signals) == ("none", 0)
    assert (best.name, best.you.signal_policy) == ("best", "best_chance")


def test_a_run_goes_end_to_end_and_gives_the_librarys_answer(client, home):
    response = client.post("/run", data=SMALL)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert finish(client, location) == {
        "state": "finished", "done": 2, "total": 2, "seconds_left": 0.0, "error": "",
    }  # fmt: skip
    page = page_text(client.get(location))
    headline = re.search(r'id="p-match" data-p="([^"]+)" data-k="(\d+)" data-n="(\d+)"', page)
    settings = {k: float(v) if "." in v else int(v) for k, v in SMALL.items()}
    expected = ms.run(
        ms.load_scenario(ROOT / "scenarios" / "img-internal-medicine.toml", overrides=settings),
        workers=1,
    ).you
    assert (int(headline.group(2)), int(headline.group(3))) == (expected.k, expected.n)
    assert float(headline.group(1)) == expected.p
    folder = next(p for p in (home / "results").iterdir() if p.name != "scenarios")
    assert {"run.json", "summary.json", "report.html", "funnel.png"} <= {
        p.name for p in folder.iterdir()
    }
    assert json.loads((folder / "summary.json").read_text())["focal"]["p_match"]["k"] == expected.k
    assert client.get(f"{location}/report.html").get_data() == (folder / "report.html").read_bytes()
    scenario = json.loads((folder / "run.json").read_text())["options"]["scenario"]
    assert Path(scenario).parent == home / "results" / "scenarios"
    assert (
        ms.load_scenario(scenario).you
        == ms.load_scenario(ROOT / "scenarios" / "img-internal-medicine.toml").you
    )  # the form's defaults are the shipped IMG's profile


def test_strategies_are_compared_with_the_profile_as_entered(client):
    form = {**SMALL, "strategy1.name": "rank 2", "strategy1.key": "you.rank_list_length",
            "strategy1.value": "2"}  # fmt: skip
    location = client.post("/run", data=form).headers["Location"]
    assert finish(client, location)["state"] == "finished"
    page = page_text(client.get(location))
    assert "Your strategies compared" in page
    assert "your profile as entered" in page and "rank 2" in page


#: A partner as the form sends it: you rank pairs of programs as a couple.
PARTNER = {
    "you.partner.specialty": "Pediatrics (Categorical)",
    "you.partner.type": "us_md",
    "you.partner.step2ck": "245",
    "you.partner.usce_kind": "none",
    "you.partner.usce_months": "0",
    "you.partner.visa": "none",
}


def test_a_partner_on_the_form_makes_a_couple_and_its_chances_are_shown(client):
    text, compare, errors = read_form({**SMALL, **PARTNER})
    assert errors == {} and not compare and "[you.partner]" in text
    partner = check_text(text, "the test").you.partner
    assert (partner.specialty, partner.type, partner.step2ck) == (
        "Pediatrics (Categorical)", "us_md", 245,
    )  # fmt: skip
    assert "[you.partner]" not in read_form(SMALL)[0]  # no partner: no table
    location = client.post("/run", data={**SMALL, **PARTNER}).headers["Location"]
    assert finish(client, location)["state"] == "finished"
    page = page_text(client.get(location))
    assert "your partner matched (any specialty)" in page and "both of you matched" in page


def test_a_partner_without_a_specialty_is_refused_beside_the_field(client):
    response = client.post("/run", data={**SMALL, "you.partner.type": "us_md"})
    assert response.status_code == 400
    assert error_beside(response, "you.partner.specialty").startswith(
        "expected your partner's preferred specialty"
    )


def test_the_teaching_page_carries_every_round_and_why(client):
    for name, path in shipped_lessons().items():
        response = client.get(f"/teach?lesson={name}")
        assert response.status_code == 200, name
        found = re.search(
            r'<script id="lesson-data" type="application/json">(.*?)</script>',
            response.get_data(as_text=True),
            re.DOTALL,
        )
        data = json.loads(found.group(1))
        assert data == lesson_data(load_market(path)), name
        assert set(data["why"]) == set(data["applicants"]) | set(data["programs"])


def test_a_market_typed_in_is_shown_and_a_bad_one_explained(client):
    market = '[programs.Mercy]\npositions = 1\nranks = ["Chen"]\n\n'
    market += '[applicants.Chen]\nranks = ["Mercy"]\n'
    response = client.post("/teach", data={"market": market, "proposing": "programs"})
    assert response.status_code == 200
    assert '"proposing": "programs"' in response.get_data(as_text=True)
    bad = client.post("/teach", data={"market": market.replace('["Mercy"]', '["Nowhere"]')})
    assert bad.status_code == 400
    assert error_beside(bad, "market").startswith("the market typed in: applicants.Chen.ranks")
    assert client.get("/teach?lesson=no-such").status_code == 400


def test_what_the_app_refuses(client):
    other_site = client.post("/run", data=SMALL, headers={"Origin": "http://elsewhere.example"})
    assert other_site.status_code == 403
    missing = client.get("/jobs/999")
    assert missing.status_code == 404 and "Traceback" not in page_text(missing)


def test_the_server_listens_on_localhost_by_default(home):
    server = make_server(home=home)
    try:
        assert server.server_address[0] == "127.0.0.1" and server.server_port > 0
    finally:
        server.server_close()


def test_without_flask_serve_says_which_extra_to_install(monkeypatch):
    from click.testing import CliRunner

    from simulator.cli import main

    monkeypatch.setitem(sys.modules, "flask", None)
    monkeypatch.delitem(sys.modules, "simulator.web.app", raising=False)
    result = CliRunner().invoke(main, ["serve"], prog_name="matchsim")
    assert result.exit_code == 2
    assert result.output == (
        "Error: matchsim serve: needs the optional web extra (flask is not installed): "
        "pip install 'matchsim[web]'\n"
    )


def test_the_templates_scripts_and_lessons_are_package_data():
    """``pip install .`` (not editable) ships what the app reads: checked against pyproject."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = config["tool"]["setuptools"]["package-data"]
    web = ROOT / "simulator" / "web"
    for path in [*(web / "templates").iterdir(), *(web / "static").iterdir()]:
        name = path.relative_to(web).as_posix()
        assert any(fnmatch(name, pattern) for pattern in data["simulator.web"]), name
    shipped = {
        p.name
        for p in (ROOT / "scenarios").iterdir()
        if any(fnmatch(p.name, pattern) for pattern in data["simulator.web.lessons"])
    }
    assert shipped == {path.name for path in shipped_lessons().values()}
