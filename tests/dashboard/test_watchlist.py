"""The watchlist page: rows from the store, filters, search, sorting, bulk status and the CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest

from server.storage.records import to_csv


def handles(page: str) -> list[str]:
    """The creators in the table, in the order shown."""
    return re.findall(r'<tr data-creator="[a-z]+/([^"]+)"', page)


def test_the_table_shows_every_column(signed_in, watchlist):
    page = signed_in.get("/watchlist").get_data(as_text=True)
    assert sorted(handles(page)) == ["creator", "crumbs", "oatbaker"]
    for heading in (
        "Creator",
        "Niche",
        "Status",
        "Tier",
        "Overall",
        "Fit",
        "Authenticity",
        "Followers",
        "Last seen",
    ):
        assert f">{heading}" in page, heading
    row = page.split('data-creator="instagram/oatbaker"')[1].split("</tr>")[0]
    assert "Vegan baking" in row and "shortlisted" in row and "micro" in row and "41k" in row
    assert ">71<" in row and ">55<" in row  # fit for its best niche, authenticity
    assert 'href="/creators/instagram/oatbaker"' in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["creator", "crumbs", "oatbaker"]),
        ("niche=vegan-baking", ["crumbs", "oatbaker"]),
        ("status=shortlisted", ["oatbaker"]),
        ("tier=nano", ["crumbs"]),
        ("q=tuesday", ["creator"]),  # notes
        ("q=MARATHON", ["creator"]),  # a tag, case-insensitive
        ("q=bakes", ["crumbs", "oatbaker"]),  # display names
        ("niche=vegan-baking&tier=micro", ["oatbaker"]),
        ("q=nobody", []),
        (
            "niche=no-such-niche&tier=giant&status=lost&sort=evil",
            ["creator", "crumbs", "oatbaker"],
        ),  # ignored
    ],
)
def test_filters_and_search(signed_in, watchlist, query, expected):
    page = signed_in.get(f"/watchlist?{query}").get_data(as_text=True)
    assert sorted(handles(page)) == expected
    if not expected:
        assert "No creator matches these filters" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=overall", ["creator", "oatbaker", "crumbs"]),
        ("sort=overall&order=asc", ["crumbs", "oatbaker", "creator"]),
        ("sort=followers", ["oatbaker", "creator", "crumbs"]),
        ("sort=authenticity", ["creator", "oatbaker", "crumbs"]),
        ("sort=handle", ["creator", "crumbs", "oatbaker"]),
        ("sort=fit&niche=vegan-baking", ["oatbaker", "crumbs"]),
    ],
)
def test_sorting(signed_in, watchlist, query, expected):
    assert handles(signed_in.get(f"/watchlist?{query}").get_data(as_text=True)) == expected


def test_column_headings_sort_and_flip_the_order(signed_in, watchlist):
    page = signed_in.get("/watchlist?sort=followers&niche=vegan-baking").get_data(as_text=True)
    heading = re.search(
        r'<th scope="col" class="num" aria-sort="descending"><a href="([^"]+)">Followers', page
    )
    assert heading, "the sorted column says so to screen readers"
    flipped = heading.group(1).replace("&amp;", "&")
    assert "order=asc" in flipped and "niche=vegan-baking" in flipped  # filters are kept
    assert handles(signed_in.get(flipped).get_data(as_text=True)) == ["crumbs", "oatbaker"]


def test_bulk_status_change(signed_in, csrf, watchlist, store):
    response = signed_in.post(
        "/watchlist/status",
        data={
            "csrf_token": csrf,
            "status": "contacted",
            "creator": ["instagram/creator", "tiktok/crumbs"],
            "next": "/watchlist?niche=vegan-baking",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/watchlist?niche=vegan-baking"
    assert store.get_creator("instagram", "creator")["status"] == "contacted"
    assert store.get_creator("tiktok", "crumbs")["status"] == "contacted"
    assert store.get_creator("instagram", "oatbaker")["status"] == "shortlisted"
    assert "Moved 2 creators to contacted." in signed_in.get("/watchlist").get_data(as_text=True)
    assert store.history("instagram", "creator")[-1]["followers"] == 24_300  # a status move measures nothing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "hired", "creator": "instagram/creator"}, "Choose a status"),
        ({"status": "declined"}, "Select at least one creator"),
        (
            {"status": "declined", "creator": "instagram/ghost"},
            "Not moved: instagram/ghost (not on the watchlist)",
        ),
    ],
)
def test_bulk_status_refuses_what_it_cannot_do(signed_in, csrf, watchlist, store, data, message):
    before = store.export_data()["creators"]
    signed_in.post("/watchlist/status", data={"csrf_token": csrf, **data})
    assert message in signed_in.get("/watchlist").get_data(as_text=True)
    assert store.export_data()["creators"] == before  # and no creator was made up


def test_csv_export_is_the_apis_csv_for_the_rows_shown(signed_in, watchlist, store, client, auth_header):
    response = signed_in.get("/watchlist.csv?niche=vegan-baking&sort=overall")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["handle"] for r in rows] == ["oatbaker", "crumbs"]
    assert rows[0]["fit:vegan-baking"] == "71.0" and rows[0]["status"] == "shortlisted"
    api = client.get("/v1/watchlist.csv?niche=vegan-baking&sort=overall", headers=auth_header)
    assert api.get_data(as_text=True) == response.get_data(as_text=True)


def test_csv_escapes_formulas_in_notes(signed_in, csrf, watchlist, store):
    signed_in.post("/creators/instagram/creator", data={"csrf_token": csrf, "notes": '=HYPERLINK("x")'})
    body = signed_in.get("/watchlist.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body
    assert body == to_csv(store.list_creators())


def test_an_empty_watchlist_says_what_to_do_first(signed_in):
    page = signed_in.get("/watchlist").get_data(as_text=True)
    assert "Your watchlist is empty" in page and "Create a niche" in page


def test_user_text_is_escaped(signed_in, csrf, watchlist, store):
    store.save_creator("instagram", "creator", {"tags": ["<script>alert(1)</script>"]}, by="admin")
    page = signed_in.get("/watchlist").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


SPANISH_CAPTIONS = [
    "Rutina de piernas en el gimnasio: sentadillas cinco por cinco y peso muerto",
    "Mi desayuno antes de entrenar: avena, plátano y un café con leche",
    "Hoy toca descanso activo, caminar una hora y estirar bien las piernas",
]


def test_the_language_filter_offers_the_watchlists_languages_and_filters(signed_in, watchlist, store):
    from tests.samples import snapshot

    spanish = snapshot(handle="entrena", posts=[{"id": f"p{i}", "caption": c}
                                                for i, c in enumerate(SPANISH_CAPTIONS)])
    store.save_creator("instagram", "entrena", {"snapshot": spanish}, by="admin")  # no score: detected
    page = signed_in.get("/watchlist").get_data(as_text=True)
    assert '<option value="en">en (3)</option>' in page and '<option value="es">es (1)</option>' in page
    assert "es 100%" in page and "en 100%" in page  # the languages column
    assert handles(signed_in.get("/watchlist?language=es").get_data(as_text=True)) == ["entrena"]
    filtered = signed_in.get("/watchlist?language=en&sort=handle").get_data(as_text=True)
    assert handles(filtered) == ["creator", "crumbs", "oatbaker"]
    assert '<option value="es">es (1)</option>' in filtered  # the choices still list every language
    assert sorted(handles(signed_in.get("/watchlist?language=es,en").get_data(as_text=True))) == [
        "creator", "crumbs", "entrena", "oatbaker"]
    assert len(handles(signed_in.get("/watchlist?language=spanish").get_data(as_text=True))) == 4  # ignored


def _workspace(count: int) -> dict:
    """An export document of ``count`` creators whose scores tie often and are sometimes missing."""
    from server.storage.protocol import EXPORT_FORMAT, EXPORT_VERSION

    at = "2026-01-01T00:00:00Z"
    creators = [
        {
            "platform": ("instagram", "tiktok")[i % 2],
            "handle": f"c{i:03d}",
            "display_name": f"Creator {i}",
            "niche": "running" if i % 3 else None,
            "status": ("discovered", "shortlisted")[i % 5 == 0],
            "notes": "club" if i % 4 == 0 else "",
            "tags": [],
            "outreach": {},
            "created_at": at,
            "updated_at": f"2026-02-{1 + i % 28:02d}T00:00:00Z",
            "updated_by": "admin",
            "summary": {
                "followers": 1_000 + i,
                "tier": "micro",
                "overall": None if i % 11 == 0 else float(i * 37 % 7 * 10),
                "authenticity": 50.0,
                "engagement_rate": 0.03,
                "fit": {"running": float(i % 5 * 20)} if i % 3 else {},
            },
            "snapshot": None,
            "score": None,
            "history": [],
        }
        for i in range(count)
    ]
    niche = {"id": "running", "name": "Running", "description": "", "keywords": [], "hashtags": [],
             "example_posts": [], "created_at": at, "updated_at": at}
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "niches": [niche], "creators": creators,
            "labels": [], "comment_labels": [], "tokens": [], "settings": {}}


@pytest.mark.parametrize(
    ("query", "keep", "value", "descending"),
    [
        ("sort=overall", lambda c: True, lambda c: c["summary"]["overall"], True),
        ("sort=overall&order=asc", lambda c: True, lambda c: c["summary"]["overall"], False),
        ("sort=fit&niche=running", lambda c: c["niche"] == "running",
         lambda c: c["summary"]["fit"].get("running"), True),
        ("sort=updated&status=shortlisted", lambda c: c["status"] == "shortlisted",
         lambda c: c["updated_at"], True),
        ("q=CLUB&sort=followers", lambda c: "club" in c["notes"], lambda c: c["summary"]["followers"], True),
    ],
)
def test_pages_of_a_long_watchlist_follow_the_sort_and_count(signed_in, store, query, keep, value,
                                                              descending):
    """250 creators: the pages together are the whole sorted list (ties by platform/handle, those
    without a value last), each page says which rows it shows, a page past the end is the last one."""
    document = _workspace(250)
    store.import_data(document, replace=True)
    chosen = sorted((c for c in document["creators"] if keep(c)),
                    key=lambda c: f"{c['platform']}/{c['handle']}")
    known = sorted((c for c in chosen if value(c) is not None), key=value, reverse=descending)
    expected = [c["handle"] for c in known + [c for c in chosen if value(c) is None]]
    pages = -(-len(expected) // 100)
    shown = []
    for number in range(1, pages + 1):
        page = signed_in.get(f"/watchlist?{query}&page={number}").get_data(as_text=True)
        rows = handles(page)
        shown.append(rows)
        assert f"{len(expected)} creators" in page
        if pages > 1:
            first = 100 * (number - 1) + 1
            assert f"{first}-{first + len(rows) - 1} shown" in page and f"Page {number} of {pages}" in page
    assert [h for rows in shown for h in rows] == expected
    assert handles(signed_in.get(f"/watchlist?{query}&page={pages + 3}").get_data(as_text=True)) == shown[-1]
    assert handles(signed_in.get(f"/watchlist?{query}&page=x").get_data(as_text=True)) == shown[0]
