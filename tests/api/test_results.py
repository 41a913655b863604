"""/v1/results over HTTP: import a GA4 export and a Shopify report, read what each partnership returned,
the CSV, and the bad inputs of issue 13 answered 4xx with the rows named and nothing imported."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests import samples

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def watchlist(client, auth):
    def put(platform, handle, outreach, fit=None, authenticity=None):
        body = {"outreach": outreach, "niche": None}
        if fit is not None:
            body["score"] = samples.score(authenticity=authenticity, fit={"running": fit})
        response = client.put(f"/v1/watchlist/{platform}/{handle}", json=body, headers=auth)
        assert response.status_code == 201, response.get_json()

    put("instagram", "caseyruns", {"campaign": "fall-trail", "fee": "€1,500"}, fit=91.0, authenticity=82.0)
    put(
        "tiktok",
        "trailtess",
        {"utm_content": "tess-fall", "campaign": "fall-trail", "fee": "400 EUR"},
        fit=88.0,
        authenticity=41.0,
    )
    put("youtube", "milesmorgan", {"discount_code": "MILES15", "fee": "$600", "campaign": "fall-trail"})


def post(client, auth, data: bytes, query: str = ""):
    return client.post(f"/v1/results/import{query}", data=data, headers={**auth, "Content-Type": "text/csv"})


def test_a_ga4_export_imports_once(client, auth, watchlist):
    first = post(client, auth, read("ga4_traffic_acquisition.csv"), "?name=ga4-september.csv")
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert (body["kind"], body["imported"], body["duplicates"], body["skipped"], body["creators"]) == (
        "ga4",
        8,
        0,
        3,
        3,
    )
    assert body["unmatched"] == [] and body["errors"] == [] and body["totals_checked"] is True
    assert body["period"] == ["2025-09-01", "2025-09-28"]
    again = post(client, auth, read("ga4_traffic_acquisition.csv")).get_json()
    assert (again["imported"], again["duplicates"]) == (0, 8)


def test_what_a_partnership_returned_week_by_week(client, auth, watchlist):
    post(client, auth, read("ga4_traffic_acquisition.csv"))
    casey = client.get("/v1/watchlist/instagram/caseyruns/results", headers=auth).get_json()
    (campaign,) = casey["campaigns"]
    assert campaign["campaign"] == "fall-trail" and campaign["cost"] == 1500.0
    assert [w["week"] for w in campaign["weeks"]] == ["2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22"]
    assert (casey["sessions"], casey["engaged_sessions"], casey["conversions"], casey["revenue"]) == (
        1395,
        844,
        33.0,
        3787.30,
    )
    assert casey["cost_per_conversion"] == round(1500 / 33, 4)
    assert casey["return_on_spend"] == round(3787.30 / 1500, 4)
    first = campaign["weeks"][0]  # to date: the fee is paid up front
    assert first["cost_per_conversion"] == round(1500 / 9, 4) and first["return_on_spend"] == round(
        1034.55 / 1500, 4
    )
    assert casey["low_engagement"] is None
    assert casey["scores"]["fit"] == 91.0 and casey["scores"]["authenticity"] == 82.0


def test_traffic_that_does_not_engage_is_flagged_with_its_figures(client, auth, watchlist):
    post(client, auth, read("ga4_traffic_acquisition.csv"))
    tess = client.get("/v1/watchlist/tiktok/trailtess/results", headers=auth).get_json()
    flag = tess["low_engagement"]
    assert (flag["sessions"], flag["engaged_sessions"]) == (423, 39)
    assert "39 of 423 sessions engaged (9%" in flag["reason"]


def test_a_shopify_report_adds_orders_and_sales_by_discount_code(client, auth, watchlist):
    refused = post(client, auth, read("shopify_discounts.csv"))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["errors"][0]["row"] == 4
    body = post(client, auth, read("shopify_discounts.csv"), "?skip_unmatched=true").get_json()
    assert body["imported"] == 2 and body["unmatched"][0]["row"] == 4
    miles = client.get("/v1/watchlist/youtube/milesmorgan/results", headers=auth).get_json()
    assert (miles["conversions"], miles["revenue"], miles["sessions"]) == (13.0, 1170.30, None)
    assert miles["return_on_spend"] == round(1170.30 / 600, 4)


def test_the_results_overview_sorts_by_return_and_the_csv_has_every_week(client, auth, watchlist):
    post(client, auth, read("ga4_traffic_acquisition.csv"))
    listed = client.get("/v1/results", headers=auth).get_json()["creators"]
    assert [c["handle"] for c in listed] == ["caseyruns", "milesmorgan", "trailtess"]  # 2.52x, 0.97x, 0.12x
    assert [
        c["handle"] for c in client.get("/v1/results?sort=sessions", headers=auth).get_json()["creators"]
    ] == ["caseyruns", "trailtess", "milesmorgan"]
    response = client.get("/v1/results.csv", headers=auth)
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 8 and rows[0]["handle"] == "caseyruns" and rows[0]["week"] == "2025-09-01"
    assert {r["low_engagement"] for r in rows if r["handle"] == "trailtess"} == {"yes"}


@pytest.mark.parametrize(
    ("data", "status", "row", "words"),
    [
        (read("ga4_pages_report.csv"), 422, 9, "not a report microscout can import"),
        (b"PK\x03\x04" + b"\x00" * 100, 422, 1, "Excel workbook"),
        (
            b"Session source,Session medium,Session campaign,Session manual ad content,Sessions,"
            b"Engaged sessions,"
            b"Key events,Total revenue\ninstagram,influencer,c,caseyruns,10,8,1,20.00\n"
            b"instagram,influencer,c,caseyruns,10,8,1,-5.00\n",
            422,
            3,
            "revenue is negative",
        ),
        (
            b"Session source,Session medium,Session campaign,Session manual ad content,Sessions,"
            b"Engaged sessions,"
            b"Key events,Total revenue\ninstagram,influencer,c,someone-else,10,8,1,20.00\n",
            422,
            2,
            "utm_content 'someone-else'",
        ),
    ],
)
def test_bad_files_are_refused_whole(client, auth, watchlist, data, status, row, words):
    response = post(client, auth, data)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["details"]["imported"] == 0
    assert error["details"]["errors"][0]["row"] == row and words in error["message"]
    assert client.get("/v1/results", headers=auth).get_json()["creators"] == []


def test_a_50_mb_upload_is_refused_with_the_envelope(client, auth, watchlist):
    response = post(client, auth, b"x" * (50 * 1024 * 1024))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_results_of_a_creator_not_on_the_watchlist(client, auth):
    response = client.get("/v1/watchlist/instagram/nobody/results", headers=auth)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_no_audit_yet_is_a_404_with_a_hint(client, auth):
    response = client.get("/v1/audit/latest", headers=auth)
    assert response.status_code == 404 and "POST /v1/audit" in response.get_json()["error"]["message"]
