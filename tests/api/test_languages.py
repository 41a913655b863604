"""Languages on the wire: the score's ``languages`` section and the glance's, on issue 10's bad input
(any script, emoji only, mixed, zero-width characters, 5,000-character words, empty captions), and the
``language`` filters of the watchlist and the Discovered inbox."""

from __future__ import annotations

import pytest

from tests import samples
from tests.api.test_niches import envelope

ARABIC = "أحب الطبخ في المنزل مع عائلتي كل يوم جمعة، وصفة جديدة كل أسبوع"
CHINESE = "今天在家做了红烧肉和清蒸鱼，周末和家人一起吃饭真开心"
JAPANESE = "今日は友達と一緒に新しいラーメン屋さんに行きました。とても美味しかったです"
HINDI = "मुझे हर सुबह दौड़ना और योग करना पसंद है, इससे दिन अच्छा जाता है"
SPANISH = "Rutina de piernas en el gimnasio: sentadillas cinco por cinco y peso muerto"
ZERO_WIDTH = "Rutina\u200b de piernas\u200d en el gimnasio\ufeff con sentadillas y zancadas"
LONG_WORD = "x" * 5000
MIXED = "Love this! Me encanta esta receta de tortilla de patatas con cebolla, la mejor del mundo"

# (captions, the language each must get): one row per kind of bad input of issue 10
BAD_INPUT = {
    "arabic (right to left)": ([ARABIC], ["ar"]),
    "chinese": ([CHINESE], ["zh"]),
    "japanese": ([JAPANESE], ["ja"]),
    "devanagari": ([HINDI], ["hi"]),
    "emoji only": (["😍🔥👏👏", "💪🏽💪🏽💪🏽"], ["und", "und"]),
    "mixed": ([MIXED], ["es"]),
    "zero-width characters": ([ZERO_WIDTH, "\u200b\u200d\ufeff"], ["es", "und"]),
    "a 5,000-character word": ([LONG_WORD, f"{SPANISH} {'a' * 4900}"], ["und", "es"]),
    "empty captions": (["", "   "], []),
}


def codes(mix):
    return sorted(code for s in mix["shares"] for code in [s["code"]] * s["count"])


# -- the HTTP layer: filters --------------------------------------------------------------------

def save(client, auth, handle, captions):
    posts = [{"id": f"p{i}", "caption": c} for i, c in enumerate(captions)]
    snap = samples.snapshot(handle=handle, posts=posts)
    response = client.put(f"/v1/watchlist/instagram/{handle}", json={"snapshot": snap}, headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_the_watchlist_filters_by_the_captions_language(client, auth):
    spanish = save(client, auth, "entrena", [SPANISH, ZERO_WIDTH, samples.RUNNING_CAPTIONS[0]])
    assert spanish["summary"]["languages"] == {"es": 0.667, "en": 0.333}
    save(client, auth, "casey", samples.RUNNING_CAPTIONS)
    save(client, auth, "cocina", [ARABIC, HINDI, CHINESE, "😍😍"])

    def listed(query):
        body = client.get(f"/v1/watchlist?sort=handle&{query}", headers=auth).get_json()
        return [c["handle"] for c in body["creators"]]

    assert listed("language=es") == ["entrena"]
    assert listed("language=en") == ["casey", "entrena"]  # a third of entrena's captions
    assert listed("language=ES,ar") == ["cocina", "entrena"]
    assert listed("language=und") == ["cocina"]  # one caption in four could not be read
    assert listed("language=pt") == []
    csv = client.get("/v1/watchlist.csv?language=es", headers=auth).get_data(as_text=True)
    assert "entrena" in csv and "casey" not in csv


@pytest.mark.parametrize("path", ["/v1/watchlist", "/v1/watchlist.csv", "/v1/discovered"])
@pytest.mark.parametrize("value", ["spanish", "es-ES", "e", "es,1x"])
def test_a_language_that_is_not_a_code_is_422(client, auth, path, value):
    error = envelope(client.get(f"{path}?language={value}", headers=auth), 422, "language")
    assert "ISO 639-1" in error["message"]


def test_the_inbox_filters_by_the_languages_of_the_posts_seen(app, client, auth):
    store = app.extensions["microscout"].store
    store.remember_glances([
        {"platform": "instagram", "handle": "panadera", "texts": ["Pan"], "languages": {"es": 1.0}},
        {"platform": "tiktok", "handle": "both", "texts": ["x"], "languages": {"pt": 0.5, "en": 0.5}},
        {"platform": "youtube", "handle": "before", "texts": ["y"]},  # glanced before languages were kept
    ])

    def listed(query):
        body = client.get(f"/v1/discovered?sort=handle&{query}", headers=auth).get_json()
        return [c["handle"] for c in body["creators"]], body["creators"]

    assert listed("language=es")[0] == ["panadera"]
    assert listed("language=pt,es")[0] == ["both", "panadera"]
    everyone = listed("")[1]
    assert [c["languages"] for c in everyone] == [{}, {"pt": 0.5, "en": 0.5}, {"es": 1.0}]


def test_the_filters_are_documented(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in ("/v1/watchlist", "/v1/discovered"):
        assert "language" in [p["name"] for p in paths[path]["get"]["parameters"]]


# -- the real scorer: every kind of bad input gets an answer --------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_gets_a_score_with_its_languages(scoring_client, auth, case):
    captions, expected = BAD_INPUT[case]
    snap = samples.snapshot(handle="bad", bio="\u200b", posts=[{"id": f"p{i}", "caption": c}
                                                              for i, c in enumerate(captions)],
                            comments=[{"id": f"c{i}", "post_id": "p0", "author": f"a{i}", "text": c[:2200]}
                                      for i, c in enumerate(captions) if c.strip()])  # a comment's bound
    response = scoring_client.post("/v1/score", json={**snap, "niches": [samples.RUNNING_NICHE]},
                                   headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    section = response.get_json()["languages"]
    assert codes(section["posts"]) == sorted(expected)
    assert codes(section["comments"]) == sorted(expected)
    assert section["bio"] == "und" and section["detector"] == "py3langid"
    fit = response.get_json()["niche_fit"][0]
    assert fit["niche"] == "running" and (fit["score"] is not None or not expected)


@pytest.mark.slow
def test_bad_input_gets_a_glance_with_its_languages(scoring_client, auth):
    cases = [case for case in sorted(BAD_INPUT) if BAD_INPUT[case][1]]  # a glance's texts are never blank
    body = {"creators": [{"platform": "instagram", "handle": f"c{i}",
                          "texts": [t[:400] for t in BAD_INPUT[case][0]]} for i, case in enumerate(cases)],
            "niches": [samples.RUNNING_NICHE]}
    response = scoring_client.post("/v1/glance", json=body, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    for case, answer in zip(cases, response.get_json()["creators"], strict=True):
        expected = BAD_INPUT[case][1]
        if case == "a 5,000-character word":
            expected = ["und", "es"]  # cut to a glance's 400 characters: the Spanish sentence still leads
        assert codes(answer["languages"]) == sorted(expected), case
        assert answer["niche_fit"][0]["score"] is not None
    inbox = scoring_client.get("/v1/discovered?language=ar", headers=auth).get_json()["creators"]
    assert [c["handle"] for c in inbox] == [f"c{cases.index('arabic (right to left)')}"]
