"""The Results page (import form, table sorted by return, flags, chart, CSV), a creator's results
section, the discount code in the outreach terms, and the Audit page."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from server.jobs.audit import LATEST

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"


def terms(store):
    # creator: the builder's default utm_content is the handle; oatbaker: set in the terms
    store.save_creator(
        "instagram", "creator", {"outreach": {"campaign": "fall-trail", "fee": "€1,500"}}, by="t"
    )
    store.save_creator(
        "instagram", "oatbaker", {"outreach": {"utm_content": "tess-fall", "fee": "400"}}, by="t"
    )
    store.save_creator("tiktok", "crumbs", {"outreach": {"discount_code": "MILES15", "fee": "$600"}}, by="t")


def ga4_for_seeded_creators() -> bytes:
    data = (FIXTURES / "ga4_traffic_acquisition.csv").read_bytes()
    return data.replace(b",caseyruns,", b",creator,").replace(b",milesmorgan,", b",crumbs,")


def upload(client, csrf, data: bytes, name: str = "ga4.csv", **form):
    return client.post(
        "/results/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_importing_from_the_page_fills_the_table_sorted_by_return(signed_in, csrf, watchlist, store):
    terms(store)
    page = upload(signed_in, csrf, ga4_for_seeded_creators()).get_data(as_text=True)
    assert "ga4.csv (Google Analytics 4): 8 rows for 3 creators: 8 imported, 0 already imported" in page
    again = upload(signed_in, csrf, ga4_for_seeded_creators()).get_data(as_text=True)
    assert "8 rows for 3 creators: 0 imported, 8 already imported" in again
    order = re.findall(r'data-results="([^"]+)"', again)
    assert order == ["instagram/creator", "tiktok/crumbs", "instagram/oatbaker"]  # 2.52x, 0.97x, 0.12x
    assert re.findall(r'data-return="([^"]*)"', again)[:3] == ["2.5249", "0.9738", "0.1247"]
    assert '<svg class="chart" id="chart-results"' in again
    # oatbaker's link brought 423 sessions of which 39 engaged: flagged with the figures
    assert 'data-handle="oatbaker"' in again and "39 of 423 sessions engaged (9%" in again
    by_sessions = signed_in.get("/results?sort=sessions").get_data(as_text=True)
    assert re.findall(r'data-results="([^"]+)"', by_sessions)[0] == "instagram/creator"


def test_a_refused_file_names_its_rows_and_imports_nothing(signed_in, csrf, watchlist, store):
    terms(store)
    bad = ga4_for_seeded_creators().replace(b"798.60", b"-798.60")
    page = upload(signed_in, csrf, bad).get_data(as_text=True)
    assert "Nothing imported from ga4.csv" in page and "row 16: revenue is negative (-798.60)" in page
    assert store.list_results() == []
    pages = upload(signed_in, csrf, (FIXTURES / "ga4_pages_report.csv").read_bytes()).get_data(as_text=True)
    assert "row 9: this is not a report microscout can import" in pages


def test_a_creator_page_shows_what_the_partnership_returned(signed_in, csrf, watchlist, store):
    terms(store)
    empty = signed_in.get("/creators/instagram/creator").get_data(as_text=True)
    assert "No results imported for @creator yet" in empty
    upload(signed_in, csrf, ga4_for_seeded_creators())
    page = signed_in.get("/creators/instagram/creator").get_data(as_text=True)
    assert 'data-return="2.5249"' in page and "2.52×" in page
    assert 'id="chart-traffic"' in page and 'id="chart-money"' in page and "Cost (fee)" in page
    assert page.count('<time datetime="2025-09-') >= 4
    flagged = signed_in.get("/creators/instagram/oatbaker").get_data(as_text=True)
    assert 'data-flag="low-engagement"' in flagged


def test_the_csv_has_a_row_per_creator_campaign_and_week(signed_in, csrf, watchlist, store):
    terms(store)
    upload(signed_in, csrf, ga4_for_seeded_creators())
    response = signed_in.get("/results.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv" and len(rows) == 8
    assert {r["handle"] for r in rows} == {"creator", "oatbaker", "crumbs"}
    assert rows[0]["fit"] == "84.0"


def test_the_discount_code_is_a_term_the_shopify_import_matches(signed_in, csrf, watchlist, store):
    response = signed_in.post(
        "/creators/tiktok/crumbs/outreach",
        data={"csrf_token": csrf, "action": "terms", "discount_code": "MILES15", "fee": "$600"},
    )
    assert response.status_code == 302
    assert store.get_creator("tiktok", "crumbs")["outreach"]["discount_code"] == "MILES15"
    page = upload(
        signed_in, csrf, (FIXTURES / "shopify_discounts.csv").read_bytes(), "shop.csv", skip_unmatched="on"
    ).get_data(as_text=True)
    assert "2 rows for 1 creators: 2 imported" in page
    assert "row 4: the discount code &#39;CASEY10&#39; is in no creator" in page


def test_the_audit_page_before_and_after_an_audit(signed_in, watchlist, store):
    page = signed_in.get("/audit").get_data(as_text=True)
    assert "No audit has run yet." in page and "Audit the watchlist" in page
    store.set_setting(
        LATEST,
        {
            "job": "j1",
            "state": "done",
            "started_at": "2026-01-01T00:00:00Z",
            "finished_at": "2026-01-01T00:00:09Z",
            "reason": "requested",
            "stale_days": 30,
            "models": {"embedder": "e1"},
            "seconds": 9.0,
            "workers": 2,
            "audited": 3,
            "skipped": 0,
            "failed": 0,
            "changes": [
                {
                    "platform": "instagram",
                    "handle": "creator",
                    "kind": "fit_down",
                    "niche": "running",
                    "before": 84.0,
                    "after": 60.0,
                    "message": "fit for Running fell 24 points (84 -> 60)",
                }
            ],
            "stale": [{"platform": "tiktok", "handle": "crumbs", "captured_at": None, "days": 45.0}],
        },
    )
    page = signed_in.get("/audit").get_data(as_text=True)
    assert "3 creators re-scored in 9.0 s on 2 workers" in page
    assert 'data-change="fit_down"' in page and "fit for Running fell 24 points" in page
    assert 'data-stale="tiktok/crumbs"' in page and "snapshot 45 days old" in page
