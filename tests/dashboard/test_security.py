"""Sign-in, sessions and CSRF: no page shows data before sign-in, and no form works without its token."""

from __future__ import annotations

import os
import re
import stat

import pytest

from server import create_app
from server.dashboard import bp
from tests.dashboard.conftest import TOKEN, csrf_of, sign_in

DATA = ("Casey Runs", "Tuesday club", "oatbaker", "Vegan baking", "marathon")  # what the watchlist holds
SAMPLE_ARGS = {
    "platform": "instagram",
    "handle": "creator",
    "niche_id": "running",
    "name": "fit-running",
    "version": "v1",
    "job_id": "job1",
    "filename": "dashboard.css",
}


def dashboard_rules(app, method: str):
    for rule in app.url_map.iter_rules():
        if (
            rule.endpoint.startswith(bp.name + ".")
            and method in rule.methods
            and rule.endpoint != "dashboard.static"
        ):
            yield rule


def url_of(rule) -> str:
    path = rule.rule
    for arg in rule.arguments:
        path = path.replace(f"<{arg}>", SAMPLE_ARGS[arg])
    return path


def test_every_page_redirects_to_sign_in(app, client, watchlist):
    pages = [r for r in dashboard_rules(app, "GET") if r.rule != "/"]
    assert len(pages) >= 6, [r.rule for r in pages]
    for rule in pages:
        response = client.get(url_of(rule))
        if rule.rule.endswith(".json"):
            assert response.status_code == 401, rule.rule
            assert response.json["error"]["code"] == "unauthorized"
            continue
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/?next="), rule.rule
        body = response.get_data(as_text=True)
        assert not any(secret in body for secret in DATA), rule.rule


def test_every_form_needs_sign_in_even_with_a_csrf_token(app, client, watchlist, store):
    token = csrf_of(client)  # a visitor gets a CSRF token with the sign-in form, but no identity
    before = store.export_data()
    posts = [r for r in dashboard_rules(app, "POST") if r.rule not in ("/", "/sign-out")]
    assert len(posts) >= 6, [r.rule for r in posts]
    for rule in posts:
        response = client.post(
            url_of(rule),
            data={
                "csrf_token": token,
                "status": "declined",
                "label": "fit",
                "niche": "running",
                "name": "Hacked",
                "notes": "x",
                "creator": "instagram/creator",
            },
        )
        assert response.status_code in (302, 401), rule.rule
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/?next=")
    assert store.export_data() == before


def test_every_form_refuses_a_missing_or_wrong_csrf_token(app, signed_in, watchlist, store):
    before = store.export_data()
    for rule in dashboard_rules(app, "POST"):
        for data in ({}, {"csrf_token": "forged"}):
            response = signed_in.post(
                url_of(rule),
                data={
                    **data,
                    "status": "declined",
                    "token": TOKEN,
                    "creator": "instagram/creator",
                    "name": "X",
                },
            )
            assert response.status_code == 400, (rule.rule, data)
    assert store.export_data() == before
    assert signed_in.get("/watchlist").status_code == 200  # the session survived


def test_the_csrf_header_counts_for_fetch(signed_in, csrf, watchlist, store):
    response = signed_in.post(
        "/watchlist/status",
        data={"status": "declined", "creator": "instagram/creator"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 302
    assert store.get_creator("instagram", "creator")["status"] == "declined"


def test_sign_in_sets_a_protected_session_cookie(client):
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/watchlist"
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("microscout_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert TOKEN not in cookie  # the token is never in the cookie
    assert client.get("/").headers["Location"] == "/watchlist"


@pytest.mark.parametrize("token", ["", "wrong-token", TOKEN + "x", " "])
def test_a_wrong_token_is_refused(client, token):
    response = sign_in(client, token)
    assert response.status_code == 401
    assert "not known" in response.get_data(as_text=True)
    assert client.get("/watchlist").status_code == 302


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, watchlist):
    response = client.post(
        "/?next=/creators/instagram/creator", data={"token": TOKEN, "csrf_token": csrf_of(client)}
    )
    assert response.headers["Location"] == "/creators/instagram/creator"
    client.post("/sign-out", data={"csrf_token": csrf_of(client)})
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.post("/", data={"token": TOKEN, "csrf_token": csrf_of(client), "next": evil})
        assert response.headers["Location"] == "/watchlist", evil
        client.post("/sign-out", data={"csrf_token": csrf_of(client)})


def test_sign_out_ends_the_session(signed_in, csrf):
    response = signed_in.post("/sign-out", data={"csrf_token": csrf})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in.get("/watchlist").status_code == 302


def test_a_team_token_signs_in_and_revoking_it_ends_the_session(app, client, store, watchlist):
    token = store.create_token("sam")
    assert sign_in(client, token).status_code == 302
    assert "sam" in client.get("/watchlist").get_data(as_text=True)
    client.post(
        "/watchlist/status",
        data={"csrf_token": csrf_of(client), "status": "contacted", "creator": "instagram/oatbaker"},
    )
    assert store.get_creator("instagram", "oatbaker")["updated_by"] == "sam"
    store.revoke_token("sam")
    assert client.get("/watchlist").status_code == 302


def test_changing_the_admin_token_ends_old_sessions(tmp_path):
    first = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False})
    client = first.test_client()
    sign_in(client)
    cookie = client.get_cookie("microscout_session").value
    second = create_app({
        "TESTING": True,
        "DATA_DIR": str(tmp_path),
        "API_TOKEN": "another-token-123456",
        "LOAD_MODELS": False,
    })
    other = second.test_client()
    other.set_cookie("microscout_session", cookie)
    assert other.get("/watchlist").status_code == 302


def test_the_secret_key_is_generated_once_with_mode_0600(tmp_path):
    first = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False})
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 40
    again = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False})
    assert again.config["SECRET_KEY"] == first.config["SECRET_KEY"]  # sessions survive a restart
    given = create_app({
        "TESTING": True,
        "DATA_DIR": str(tmp_path),
        "API_TOKEN": TOKEN,
        "LOAD_MODELS": False,
        "SECRET_KEY": "from-the-environment",
    })
    assert given.config["SECRET_KEY"] == "from-the-environment"


def test_pages_are_not_cached_or_framed(signed_in):
    response = signed_in.get("/watchlist")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_api_still_wants_a_bearer_token(client, csrf):
    """A dashboard session is no key to /v1: the extension's API keeps its own auth."""
    assert client.get("/v1/watchlist").status_code == 401


def test_the_secret_key_can_come_from_the_environment(tmp_path, monkeypatch):
    """A team's servers behind one address share MICROSCOUT_SECRET_KEY and the store (where sessions
    live), so any of them reads a session."""
    monkeypatch.setenv("MICROSCOUT_SECRET_KEY", "shared-by-the-team")
    config = {"TESTING": True, "API_TOKEN": TOKEN, "LOAD_MODELS": False,
              "STORE_URL": f"sqlite:///{tmp_path / 'team.db'}"}
    first = create_app({**config, "DATA_DIR": str(tmp_path / "a")})
    second = create_app({**config, "DATA_DIR": str(tmp_path / "b")})
    assert first.config["SECRET_KEY"] == "shared-by-the-team" and not (tmp_path / "a" / "secret_key").exists()
    client = first.test_client()
    sign_in(client)
    other = second.test_client()
    other.set_cookie("microscout_session", client.get_cookie("microscout_session").value)
    assert other.get("/watchlist").status_code == 200


# ---- issue 11, finding 8: throttled guessing, strong tokens, revocable opaque sessions, Secure ----

def test_finding_8_unknown_tokens_are_throttled_per_address(app, client):
    from server.auth import FAILED_TOKENS_A_MINUTE

    statuses = [client.get("/v1/niches", headers={"Authorization": f"Bearer guess-{i}"}).status_code
                for i in range(FAILED_TOKENS_A_MINUTE)]
    assert statuses == [401] * FAILED_TOKENS_A_MINUTE
    refused = client.get("/v1/niches", headers={"Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 61
    assert refused.get_json()["error"]["details"]["reason"] == "failed_tokens"
    form = client.post("/", data={"token": TOKEN, "csrf_token": csrf_of(client)})
    assert form.status_code == 429, "the sign-in form is the same door"
    other = client.get("/v1/niches", headers={"Authorization": f"Bearer {TOKEN}"},
                       environ_overrides={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200, "another address is not held back"


def test_finding_8_failed_sign_ins_are_throttled(client):
    from server.auth import FAILED_TOKENS_A_MINUTE

    for i in range(FAILED_TOKENS_A_MINUTE):
        assert client.post("/", data={"token": f"guess-{i}",
                                      "csrf_token": csrf_of(client)}).status_code == 401
    assert client.post("/", data={"token": TOKEN, "csrf_token": csrf_of(client)}).status_code == 429


@pytest.mark.parametrize("token", ["short", "fifteen-chars-x"])
def test_finding_8_a_configured_token_under_16_characters_is_refused(tmp_path, token):
    from server.auth import WeakToken

    with pytest.raises(WeakToken, match="at least 16"):
        create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": token, "LOAD_MODELS": False})


def test_finding_8_a_weak_token_is_warned_about(tmp_path, caplog):
    with caplog.at_level("WARNING"):
        create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": "aaaaaaaaaaaaaaaaaaaa",
                    "LOAD_MODELS": False})
    assert "looks weak" in caplog.text


def test_finding_8_sign_out_revokes_the_session_even_for_a_copied_cookie(signed_in, csrf):
    copied = signed_in.get_cookie("microscout_session").value
    signed_in.post("/sign-out", data={"csrf_token": csrf})
    signed_in.set_cookie("microscout_session", copied)  # the cookie as it was before sign-out
    assert signed_in.get("/watchlist").status_code == 302


def test_finding_8_the_cookie_carries_an_opaque_id_not_a_token_digest(app, signed_in):
    import hashlib

    from flask.sessions import SecureCookieSessionInterface

    cookie = signed_in.get_cookie("microscout_session").value
    data = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie)
    assert set(data) <= {"sid", "csrf_token", "_permanent"}, data
    text = str(data)
    for digest in (hashlib.sha256(TOKEN.encode()).hexdigest(),
                   hashlib.sha256(TOKEN.encode()).hexdigest()[:32]):
        assert digest not in text
    assert "admin" not in text


def test_finding_8_the_cookie_is_secure_over_https(client):
    page = client.get("/", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/", data={"token": TOKEN, "csrf_token": token}, base_url="https://localhost",
                           headers={"Referer": "https://localhost/"})
    assert response.status_code == 302
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("microscout_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    plain = client.post("/", data={"token": TOKEN, "csrf_token": csrf_of(client)})
    assert "Secure" not in next(h for h in plain.headers.getlist("Set-Cookie")
                                if h.startswith("microscout_session="))


def test_csrf_is_flask_wtf(app):
    from flask_wtf.csrf import CSRFProtect

    assert isinstance(app.extensions["csrf"], CSRFProtect)
