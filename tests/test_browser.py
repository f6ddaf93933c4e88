"""The web app in a real browser: headless Chromium driven by Selenium.

Fills in the form, runs a small scenario to completion and reads the same
chance as :func:`simulator.run` gives with the same seed and settings; opens
the run's ``report.html`` from disk with the network switched off; shows a bad
value's message beside its field; steps through a lesson.  Screenshots are
kept in ``test-artifacts/browser/`` (git-ignored).  Skipped, saying why, only
where no Chromium and chromedriver can be found (``.ci/run`` installs them).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

pytest.importorskip("flask", reason="the web app needs the optional extra matchsim[web]")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is a test extra")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

import simulator as ms  # noqa: E402
from simulator.report.text import format_percent  # noqa: E402
from simulator.web import make_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROME = next(
    filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None
)
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROME is None or DRIVER is None,
    reason="no Chromium and chromedriver on PATH (Debian: apt-get install chromium "
    "chromium-driver, as .ci/run does)",
)
#: What the test types into the form, and the same as scenario overrides.
PROFILE = {
    "you.step2ck": "236",
    "you.usce_months": "2",
    "you.years_since_graduation": "4",
    "you.applications": "120",
}
CHOICES = {
    "you.visa": "h1b",
    "you.usce_kind": "observership",
    "you.backup_specialty": "Family Medicine",
}
SETTINGS = {"trials": "2", "seed": "7", "market.scale": "0.05", "market.focal_copies": "16"}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def site(home):
    """The app on a free port of 127.0.0.1, served from a thread: its address."""
    server = make_server(home=home, workers=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROME
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,1800")
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(DRIVER))
    driver.set_page_load_timeout(30)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def shoot(driver, name: str) -> None:
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def type_into(driver, name: str, text: str) -> None:
    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(text)


def test_a_run_from_the_form_shows_the_librarys_chance(site, browser, home):
    browser.get(site + "/")
    for name, text in {**PROFILE, **SETTINGS}.items():
        type_into(browser, name, text)
    for name, value in CHOICES.items():
        Select(browser.find_element(By.NAME, name)).select_by_value(value)
    shoot(browser, "1-form")
    browser.find_element(By.ID, "start").click()
    headline = WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.ID, "p-match"))[0]
    shoot(browser, "2-result")
    overrides = {k: float(v) if "." in v else int(v) for k, v in {**PROFILE, **SETTINGS}.items()}
    scenario = ms.load_scenario(
        ROOT / "scenarios" / "img-internal-medicine.toml", overrides={**overrides, **CHOICES}
    )
    expected = ms.run(scenario, workers=1).you
    assert headline.text == format_percent(expected.p)
    shown = (int(headline.get_attribute("data-k")), int(headline.get_attribute("data-n")))
    assert shown == (expected.k, expected.n)
    assert browser.find_element(By.ID, "funnel").is_displayed()
    assert "Family Medicine (backup)" in browser.find_element(By.ID, "chances").text


def test_the_report_opens_from_disk_without_network(browser, home):
    reports = sorted((home / "results").glob("*/report.html"))
    assert reports, "the run of the test above wrote no report.html"
    browser.set_network_conditions(
        offline=True, latency=0, download_throughput=0, upload_throughput=0
    )
    try:
        browser.get(reports[0].as_uri())
        images = browser.find_elements(By.CSS_SELECTOR, "img")
        assert len(images) == 3  # the funnel and the two charts
        loaded = [browser.execute_script("return arguments[0].naturalWidth", i) for i in images]
        assert all(width > 0 for width in loaded), loaded
        funnel = browser.find_element(By.ID, "funnel")
        assert "not read: visa" in funnel.text and funnel.find_elements(By.TAG_NAME, "img")
        assert browser.find_element(By.ID, "assumptions").is_displayed()
        shoot(browser, "3-report-offline")
    finally:
        browser.delete_network_conditions()


def test_a_bad_value_is_explained_beside_its_field(site, browser):
    browser.get(site + "/")
    type_into(browser, "you.step2ck", "900")
    browser.find_element(By.ID, "start").click()
    message = WebDriverWait(browser, 10).until(
        lambda d: d.find_elements(By.ID, "error-you.step2ck")
    )[0]
    assert message.text == "expected an integer from 1 to 300, found 900"
    field = browser.find_element(By.NAME, "you.step2ck")
    assert message.find_element(By.XPATH, "..") == field.find_element(By.XPATH, "..")
    assert field.get_attribute("value") == "900"  # kept, to be corrected
    shoot(browser, "4-bad-value")


def test_the_signal_shares_show_only_when_you_choose_shares(site, browser):
    browser.get(site + "/")
    shares = [
        browser.find_element(By.ID, f"you.signal_{side}_share") for side in ("reach", "safer")
    ]
    assert browser.find_element(By.ID, "you.home_region").is_displayed()
    assert not any(field.is_displayed() for field in shares)
    policy = Select(browser.find_element(By.ID, "you.signal_policy"))
    policy.select_by_value("shares")
    assert all(field.is_displayed() for field in shares)
    shoot(browser, "4b-signal-shares")
    type_into(browser, "you.signal_reach_share", "2")
    policy.select_by_value("spread")  # a share in error stays in sight, with its message
    browser.find_element(By.ID, "start").click()
    message = WebDriverWait(browser, 10).until(
        lambda d: d.find_elements(By.ID, "error-you.signal_reach_share")
    )[0]
    assert message.is_displayed() and message.text == "expected a number from 0 to 1, found 2"


def test_stepping_through_the_nrmp_example(site, browser):
    browser.get(site + "/teach?lesson=nrmp-example")
    label = browser.find_element(By.ID, "round-label")
    assert label.text == "before the first round"
    browser.find_element(By.ID, "next").click()
    assert label.text.startswith("round 1 of ")
    assert "Anderson applies to City" in browser.find_element(By.ID, "events").text
    shoot(browser, "5-lesson-round-1")
    while browser.find_element(By.ID, "next").is_enabled():
        browser.find_element(By.ID, "next").click()
    assert label.text.endswith(": the final result")
    board = {
        row.find_elements(By.TAG_NAME, "td")[0].text: row.find_elements(By.TAG_NAME, "td")[1].text
        for row in browser.find_elements(By.CSS_SELECTOR, "#board tr")
    }
    assert board == {
        "Mercy (2)": "Chen, 1 open",
        "City (2)": "Garcia, Eastman",
        "General (2)": "Davis, 1 open",
        "State (2)": "Hassan, Ford",
    }
    Select(browser.find_element(By.ID, "why-name")).select_by_visible_text("Brown")
    why = browser.find_element(By.ID, "why").text
    assert "Why is Brown unmatched?" in why and "City" in why
    shoot(browser, "6-lesson-result-why-brown")
    browser.find_element(By.ID, "first").click()
    assert label.text == "before the first round"
