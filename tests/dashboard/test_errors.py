"""A person on a dashboard page sees the error page, never the API's JSON, also when the store is away."""

from __future__ import annotations

from tests.test_errors import AwayStore


def test_a_store_outage_shows_the_error_page(signed_in, app):
    app.extensions["microscout"].store = AwayStore()
    response = signed_in.get("/watchlist")
    assert response.status_code == 503 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "503" in page and "The store is unavailable" in page and '"error"' not in page


def test_a_missing_page_is_the_error_page(signed_in):
    response = signed_in.get("/creators/instagram/nobody")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "not on the watchlist" in response.get_data(as_text=True)
