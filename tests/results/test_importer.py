"""The importer over the fixtures (hand-made in the exports' real shape) and every bad input of issue 13:
each refused whole with a message naming the row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from server.results.importer import (
    GA4,
    SHOPIFY,
    ImportRefused,
    match,
    parse,
    parse_amount,
    week_of,
)
from server.results.report import fee_amount

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "results"
HEADER = (
    "Session source,Session medium,Session campaign,Session manual ad content,Sessions,Engaged sessions,"
    "Key events,Total revenue\n"
)


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def creators() -> list[dict]:
    return [
        {
            "platform": "instagram",
            "handle": "CaseyRuns",
            "outreach": {"campaign": "fall-trail", "fee": "€1,500"},
        },
        {
            "platform": "tiktok",
            "handle": "trailtess",
            "outreach": {"utm_content": "tess-fall", "fee": "400 EUR"},
        },
        {
            "platform": "youtube",
            "handle": "milesmorgan",
            "outreach": {"discount_code": "MILES15", "fee": "$600"},
        },
    ]


def test_a_ga4_export_reads_its_header_comments_numbers_and_grand_total():
    parsed = parse(read("ga4_traffic_acquisition.csv"))
    assert parsed.kind == GA4 and parsed.decimal == "." and parsed.delimiter == ","
    assert parsed.period == ("2025-09-01", "2025-09-28")
    assert len(parsed.rows) == 11  # the Grand total row is not a row
    assert parsed.totals_checked
    casey = [r for r in parsed.rows if r.content == "caseyruns"]
    assert [r.week for r in casey] == ["2025-09-01", "2025-09-08", "2025-09-15", "2025-09-22"]
    assert (casey[1].sessions, casey[1].engaged_sessions, casey[1].conversions, casey[1].revenue) == (
        530,
        338,
        14.0,
        1612.90,
    )
    organic = parsed.rows[0]
    assert (organic.utm_medium, organic.content, organic.sessions) == ("organic", None, 1204)


def test_a_semicolon_file_with_decimal_commas_reads_the_same_numbers():
    german = parse(read("ga4_traffic_acquisition_de.csv"))
    english = parse(read("ga4_traffic_acquisition.csv"))
    assert german.delimiter == ";" and german.decimal == ","
    assert german.notes == ["read as ';'-separated with decimal mark ','"]
    pick = {(r.content, r.week): (r.sessions, r.revenue) for r in english.rows}
    for row in german.rows:
        if row.content == "caseyruns":
            assert (row.sessions, row.revenue) == pick[(row.content, row.week)]
    assert german.totals_checked


def test_the_same_data_gives_the_same_digest_whatever_the_comment_header():
    first = read("ga4_traffic_acquisition.csv")
    redownloaded = first.replace(b"# Account: Trailfuel", b"# Account: Trailfuel (exported again)")
    assert parse(first).digest == parse(redownloaded).digest
    assert (
        parse(first).digest
        != parse(first.replace(b"412,251", b"413,251").replace(b'"4,771"', b'"4,772"')).digest
    )


def test_a_shopify_discount_report():
    parsed = parse(read("shopify_discounts.csv"))
    assert parsed.kind == SHOPIFY
    assert [(r.content, r.week, r.conversions, r.revenue) for r in parsed.rows] == [
        ("MILES15", "2025-09-08", 4.0, 360.09),
        ("MILES15", "2025-09-15", 9.0, 810.21),
        ("CASEY10", "2025-09-08", 3.0, 285.96),
    ]


def test_rows_map_by_utm_content_and_by_discount_code():
    matched = match(parse(read("ga4_traffic_acquisition.csv")), creators())
    handles = sorted({c["handle"] for _, c in matched.rows})
    # caseyruns: the builder's default (the handle, case-folded); tess-fall: set in the terms
    assert handles == ["CaseyRuns", "milesmorgan", "trailtess"]
    assert matched.skipped == 3 and matched.unmatched == []
    shop = match(parse(read("shopify_discounts.csv")), creators())
    assert [c["handle"] for _, c in shop.rows] == ["milesmorgan", "milesmorgan"]
    assert [p.row for p in shop.unmatched] == [4]
    assert "CASEY10" in str(shop.unmatched[0])


def test_unknown_utm_content_is_unmatched_naming_the_row():
    body = (
        HEADER
        + "instagram,influencer,fall-trail,caseyruns,10,8,1,20.00\n"
        + "instagram,influencer,fall-trail,nobody,5,4,0,0\n"
    )
    matched = match(parse(body.encode()), creators())
    assert [str(p) for p in matched.unmatched] == [
        "row 3: utm_content 'nobody' (campaign fall-trail) matches no creator on the watchlist"
    ]


@pytest.mark.parametrize(
    ("data", "row", "words"),
    [
        pytest.param(
            read("ga4_pages_report.csv"), 9, "not a report microscout can import", id="another-ga4-report"
        ),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, 1, "Excel workbook", id="xlsx"),
        pytest.param(b"%PDF-1.7\n%....", 1, "a PDF", id="pdf"),
        pytest.param(b"\x00\x01\x02binary" * 20, 1, "binary data", id="binary"),
        pytest.param(b"just some words\nin a text file\n", 1, "not a CSV report", id="prose"),
        pytest.param(
            (HEADER + "instagram,influencer,c,caseyruns,10,8,1,-25.00\n").encode(),
            2,
            "revenue is negative",
            id="negative-revenue",
        ),
        pytest.param(
            (HEADER + 'instagram,influencer,c,caseyruns,10,8,1,"98,765,432,100.00"\n').encode(),
            2,
            "export or unit error",
            id="absurd-revenue",
        ),
        pytest.param(
            (HEADER + "instagram,influencer,c,caseyruns,10,8,1,lots\n").encode(),
            2,
            "not an amount",
            id="revenue-not-a-number",
        ),
        pytest.param(
            (HEADER + "instagram,influencer,c,caseyruns,-3,0,0,0\n").encode(),
            2,
            "sessions is negative",
            id="negative-sessions",
        ),
        pytest.param(
            (HEADER + "instagram,influencer,c,caseyruns,10,12,0,0\n").encode(),
            2,
            "more engaged sessions",
            id="engaged-over-sessions",
        ),
        pytest.param(
            (HEADER + "instagram,influencer,c,caseyruns,10,8\n").encode(),
            2,
            "6 cells where the header has 8",
            id="short-row",
        ),
        pytest.param(
            (HEADER.replace(",", ";") + "instagram;influencer;c;caseyruns;10;8;1;20,5;x\n").encode(),
            2,
            "9 cells where the header has 8",
            id="semicolon-long-row",
        ),
        pytest.param(HEADER.encode(), None, "no data rows", id="header-only"),
        pytest.param(b"", None, "empty", id="empty"),
        pytest.param(
            (HEADER + ',,,,"1,000",10,1,20.00\ninstagram,influencer,c,caseyruns,10,8,1,20.00\n').encode(),
            2,
            "Grand total says 1,000 sessions but the rows add up to 10",
            id="totals-disagree",
        ),
        pytest.param(
            ("Date," + HEADER + "2025-13-45,instagram,influencer,c,caseyruns,10,8,1,2\n").encode(),
            2,
            "is not a date",
            id="bad-date",
        ),
    ],
)
def test_bad_input_is_refused_whole_naming_the_row(data, row, words):
    with pytest.raises(ImportRefused) as caught:
        parse(data)
    problem = caught.value.problems[0]
    assert problem.row == row
    assert words in str(problem)
    if row is not None:
        assert str(caught.value).startswith(f"row {row}: ")


def test_every_bad_row_is_named_not_only_the_first():
    body = HEADER + (
        "instagram,influencer,c,caseyruns,10,8,1,-1\ninstagram,influencer,c,caseyruns,10,8,1,2\n"
        "instagram,influencer,c,caseyruns,10,8,1,-2\n"
    )
    with pytest.raises(ImportRefused) as caught:
        parse(body.encode())
    assert [p.row for p in caught.value.problems] == [2, 4]
    assert "(and 1 more)" in str(caught.value)


def test_a_50_mb_file_is_refused_before_it_is_read_as_csv():
    with pytest.raises(ImportRefused) as caught:
        parse(HEADER.encode() + b"x" * (50 * 1024 * 1024))
    assert caught.value.status == 413
    assert "the file is 52.4 MB" in str(caught.value)


def test_without_a_date_column_rows_count_in_the_week_the_report_starts():
    body = "# Start date: 20250910\n# End date: 20250916\n" + HEADER + "ig,influencer,c,caseyruns,10,8,1,2\n"
    parsed = parse(body.encode())
    assert parsed.rows[0].week == "2025-09-08"
    assert (
        parse(HEADER.encode() + b"ig,influencer,c,caseyruns,10,8,1,2\n", today=date(2025, 9, 3)).rows[0].week
        == "2025-09-01"
    )


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [
        ("1,234.56", ".", 1234.56),
        ("1.234,56", ",", 1234.56),
        ("1 234,56", ",", 1234.56),
        ("€ 99,90", ",", 99.9),
        ("$1,000", ".", 1000.0),
        ("412", ".", 412.0),
        ("0.00", ".", 0.0),
        ("n/a", ".", None),
        ("", ".", None),
    ],
)
def test_localized_amounts(text, decimal, value):
    assert parse_amount(text, decimal) == value


@pytest.mark.parametrize(
    ("fee", "amount"),
    [
        ("€400", 400.0),
        ("1.200 EUR", 1200.0),
        ("$1,250.50", 1250.5),
        ("350 per post", 350.0),
        ("1.234,56 €", 1234.56),
        ("product only", None),
        ("", None),
        (None, None),
    ],
)
def test_the_cost_is_the_first_amount_of_the_fee(fee, amount):
    assert fee_amount(fee) == amount


def test_weeks_are_named_by_their_monday():
    assert week_of(date(2025, 9, 7)) == "2025-09-01"
    assert week_of(date(2025, 9, 8)) == "2025-09-08"
