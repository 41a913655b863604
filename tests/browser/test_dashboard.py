"""The dashboard in Debian's Chromium: sign-in, filtering, a status change, a note, the CSV download,
copy buttons, and a screenshot of every page at 1280 px and in a 400 px window
(test-artifacts/dashboard/)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from server.storage.records import to_csv
from tests.browser.dashboard_fixtures import (  # noqa: F401  (fixtures)
    NARROW,
    WIDE,
    Dashboard,
    chromium_fixture,
    dashboard_fixture,
    open_page,
    page_fixture,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TRAIN_TIMEOUT_S = 300  # a fit model on 8 labels trains in ~20 s here; 2 shared cores can be much slower


def rows(page: Any) -> list[str]:
    return page.locator("tr[data-creator]").evaluate_all("rows => rows.map(r => r.dataset.creator)")


def test_sign_in_and_out(page: Any, dashboard: Dashboard) -> None:
    page.goto(dashboard.url + "/watchlist")
    assert page.url == dashboard.url + "/?next=/watchlist"  # nothing shown before sign-in
    assert page.locator("table").count() == 0
    page.get_by_label("API token").fill("not-the-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That token is not known to this server.")
    sign_in(page, dashboard)
    assert page.url == dashboard.url + "/watchlist"
    cookie = next(c for c in page.context.cookies() if c["name"] == "microscout_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    with page.expect_navigation():  # sign-out ends the session in the store, then redirects
        page.get_by_role("button", name="Sign out").click()
    assert page.url == dashboard.url + "/"
    page.goto(dashboard.url + "/creators/instagram/creator")
    assert page.url.startswith(dashboard.url + "/?next=")
    assert not page.js_errors and not dashboard.outside


def test_filter_search_and_sort(page: Any, dashboard: Dashboard) -> None:
    sign_in(page, dashboard)
    assert sorted(rows(page)) == ["instagram/creator", "instagram/oatbaker", "tiktok/crumbs"]
    page.get_by_label("Search").fill("bakes")
    page.get_by_role("button", name="Filter").click()
    assert sorted(rows(page)) == ["instagram/oatbaker", "tiktok/crumbs"]
    page.get_by_label("Tier").select_option("nano")
    page.get_by_role("button", name="Filter").click()
    assert rows(page) == ["tiktok/crumbs"]
    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Niche").select_option(label="Vegan baking")
    page.get_by_role("button", name="Filter").click()
    assert sorted(rows(page)) == ["instagram/oatbaker", "tiktok/crumbs"]
    page.get_by_role("link", name="Followers").click()  # biggest first, then flip
    assert rows(page) == ["instagram/oatbaker", "tiktok/crumbs"]
    assert page.locator('th[aria-sort="descending"]').inner_text().startswith("FOLLOWERS")
    page.get_by_role("link", name="Followers").click()
    assert rows(page) == ["tiktok/crumbs", "instagram/oatbaker"]
    assert "niche=vegan-baking" in page.url
    assert not page.js_errors and not dashboard.outside


def test_bulk_status_change(page: Any, dashboard: Dashboard) -> None:
    sign_in(page, dashboard)
    page.get_by_label("Select @creator").check()
    page.get_by_label("Select @crumbs").check()
    expect(page.locator("[data-selected-count]")).to_have_text("2 selected")
    page.get_by_label("Move selected to").select_option("contacted")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".flashes")).to_contain_text("Moved 2 creators to contacted.")
    assert dashboard.store.get_creator("instagram", "creator")["status"] == "contacted"
    assert dashboard.store.get_creator("tiktok", "crumbs")["status"] == "contacted"
    assert dashboard.store.get_creator("instagram", "oatbaker")["status"] == "shortlisted"
    page.get_by_label("Status", exact=True).select_option("contacted")
    page.get_by_role("button", name="Filter").click()
    assert sorted(rows(page)) == ["instagram/creator", "tiktok/crumbs"]


def test_select_all(page: Any, dashboard: Dashboard) -> None:
    sign_in(page, dashboard)
    page.get_by_label("Select all creators shown").check()
    expect(page.locator("[data-selected-count]")).to_have_text("3 selected")
    page.get_by_label("Select @crumbs").uncheck()
    assert page.get_by_label("Select all creators shown").evaluate("box => box.indeterminate")


def test_a_note_and_tags_on_the_creator_page(page: Any, dashboard: Dashboard) -> None:
    sign_in(page, dashboard)
    page.get_by_role("link", name="@creator").click()
    assert page.get_by_role("heading", name="Casey Runs").is_visible()
    page.get_by_label("Notes").fill("Called on Tuesday; wants a hybrid deal.")
    page.get_by_label("Tags").fill("marathon, coach")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flashes")).to_have_text("Saved.")
    assert page.get_by_label("Notes").input_value() == "Called on Tuesday; wants a hybrid deal."
    entry = dashboard.store.get_creator("instagram", "creator")
    assert entry["notes"] == "Called on Tuesday; wants a hybrid deal." and entry["tags"] == [
        "marathon",
        "coach",
    ]
    assert page.locator("#chart-followers circle").count() == 4  # three earlier captures and the latest
    assert not page.js_errors and not dashboard.outside


def test_the_csv_download_is_the_watchlist(page: Any, dashboard: Dashboard, tmp_path: Path) -> None:
    sign_in(page, dashboard)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "microscout-watchlist.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().decode() == to_csv(dashboard.store.list_creators())


def test_outreach_terms_and_copy_buttons(page: Any, dashboard: Dashboard) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=dashboard.url)
    sign_in(page, dashboard)
    page.goto(dashboard.url + "/creators/instagram/creator/outreach")
    page.get_by_label("Brand").fill("Stride Labs")
    page.get_by_label("Your name").fill("Jamie")
    page.get_by_label("Hybrid").check()
    page.get_by_label("Landing page").fill("https://stride.example/trail")
    page.get_by_label("Campaign (utm_campaign)").fill("spring 26")
    page.get_by_role("button", name="Save terms and update the draft").click()
    link = page.locator("#utm-link").input_value()
    assert link == (
        "https://stride.example/trail?utm_source=instagram&utm_medium=influencer"
        "&utm_campaign=spring%2026&utm_content=creator"
    )
    page.get_by_role("button", name="Copy link").click()
    assert page.evaluate("navigator.clipboard.readText()") == link
    message = page.get_by_role("textbox", name=re.compile("^Message")).input_value()
    assert "I'm Jamie from Stride Labs" in message and "Sunday long run" in message
    page.get_by_role("button", name="Copy message").click()
    assert page.evaluate("navigator.clipboard.readText()") == message
    assert not page.js_errors and not dashboard.outside



def test_one_click_labels_from_the_suggestions(page: Any, dashboard: Dashboard) -> None:
    sign_in(page, dashboard)
    page.goto(dashboard.url + "/niches/vegan-baking")
    suggestions = page.locator("#suggestions li")
    expect(suggestions).to_have_count(3)  # the three watchlisted creators, none labelled for this niche yet
    first = suggestions.first.locator("a").inner_text().removeprefix("@")
    page.get_by_role("button", name=f"@{first} is a fit").click()
    expect(page.locator(".flashes")).to_contain_text(f"@{first} marked a fit for Vegan baking")
    expect(page.locator("#suggestions li")).to_have_count(2)  # labelled: no longer suggested
    labels = dashboard.store.list_labels("vegan-baking")
    assert [(x["snapshot"]["handle"], x["label"]) for x in labels] == [(first, "fit")]
    assert not page.js_errors and not dashboard.outside

def test_a_training_run_with_a_live_progress_bar(page: Any, dashboard: Dashboard) -> None:
    sign_in(page, dashboard)
    page.goto(dashboard.url + "/niches/running")
    assert page.locator(".progress").is_hidden()
    page.get_by_role("button", name="Train a new version").click()
    bar = page.get_by_label("Training")
    bar.wait_for(state="visible")
    seen = []
    deadline = time.monotonic() + TRAIN_TIMEOUT_S
    while time.monotonic() < deadline:  # the page reloads itself with ?job= when the job is done
        try:  # value and address read together, in one document
            value, search = bar.evaluate("el => [el.value, window.location.search]")
        except PlaywrightError:  # the reload came between two reads
            break
        if "job=" in search:
            break
        seen.append(float(value))
        time.sleep(0.25)
    page.wait_for_url("**/niches/running?job=*", timeout=TRAIN_TIMEOUT_S * 1000)
    page.locator('.progress[data-state="done"]').wait_for(timeout=30_000)
    assert page.get_by_label("Training").evaluate("el => el.value") == 1
    assert page.locator("[data-job-state]").inner_text().startswith("done")
    assert seen == sorted(seen), seen  # the bar only moves forward
    row = page.locator("table.versions tbody tr").first
    assert row.locator("code").inner_text() == "v1"
    assert re.fullmatch(r"[01]\.\d{3}", row.locator('td[data-label="AUC zero-shot"]').inner_text())
    screenshot(page, "dashboard-niche-trained")
    assert not page.js_errors and not dashboard.outside


PAGES = [
    ("signin", "/"),
    ("watchlist", "/watchlist"),
    ("creator", "/creators/instagram/creator"),
    ("outreach", "/creators/instagram/creator/outreach"),
    ("niches", "/niches"),
    ("niche", "/niches/running"),
    ("comment-model", "/models/comments"),
]


def check_and_shoot(page: Any, name: str) -> None:
    width = page.viewport_size["width"]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at {width} px"
    assert page.locator("h1").first.is_visible()
    assert screenshot(page, f"dashboard-{name}").stat().st_size > 5_000


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280px", "400px"])
def test_every_page_at_1280_px_and_in_a_narrow_window(
    chromium: Any, dashboard: Dashboard, viewport: dict[str, int]
) -> None:
    page = open_page(chromium, dashboard, viewport)
    try:
        page.goto(dashboard.url + "/")
        check_and_shoot(page, "signin")
        sign_in(page, dashboard)
        for name, path in PAGES[1:]:
            page.goto(dashboard.url + path)
            assert page.url == dashboard.url + path, f"{path} sent the browser to {page.url}"
            check_and_shoot(page, name)
        assert not page.js_errors, page.js_errors
        assert not dashboard.outside, dashboard.outside  # no CDN, no remote asset
    finally:
        page.context.close()
