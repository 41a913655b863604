"""POST /v1/comments/classify and POST /v1/score pass each comment's platform to the comment model."""

from __future__ import annotations

import pytest

from tests import samples
from tests.api.test_errors import assert_envelope

PROMO = "Check out my new video!"  # spam to YouTube's labels, real to ScamSpot's


def classify(client, auth, items):
    response = client.post("/v1/comments/classify", json={"comments": items}, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["comments"]


@pytest.mark.slow
def test_classify_judges_each_item_by_its_platform(scoring_client, auth):
    youtube, instagram, tiktok, unknown = classify(scoring_client, auth, [
        {"text": PROMO, "platform": "youtube"}, {"text": PROMO, "platform": "instagram"},
        {"text": PROMO, "platform": "tiktok"}, {"text": PROMO}])
    assert youtube["label"] == "spam" and instagram["label"] != "spam"
    assert youtube["spam_probability"] > instagram["spam_probability"]
    assert tiktok == unknown  # no labelled TikTok data: the pooled stacker, trained on every row


@pytest.mark.slow
def test_score_passes_the_snapshot_platform(scoring_client, auth):
    texts = [PROMO, "Nice! check out my channel please"]
    comments = [{"id": f"c{i}", "post_id": "p0", "author": f"fan{i}", "text": t} for i, t in enumerate(texts)]
    shares = {}
    for platform in ("youtube", "instagram"):
        body = samples.snapshot(platform=platform, comments=comments)
        response = scoring_client.post("/v1/score", json=body, headers=auth)
        assert response.status_code == 200, response.get_data(as_text=True)
        shares[platform] = response.get_json()["authenticity"]["spam_share"]
    assert shares["youtube"] > shares["instagram"], shares


def test_classify_refuses_an_unknown_platform(client, auth):
    body = {"comments": [{"text": "hi", "platform": "myspace"}]}
    response = client.post("/v1/comments/classify", json=body, headers=auth)
    assert_envelope(response, 422, "comments.0.platform")


def test_openapi_documents_the_platform_of_a_classify_item(client):
    item = client.get("/openapi.json").get_json()["components"]["schemas"]["ClassifyItem"]
    enum = next(x["enum"] for x in item["properties"]["platform"]["anyOf"] if "enum" in x)
    assert set(enum) == {"instagram", "tiktok", "youtube"}


# ---- the multilingual comment model, served with e5 -------------------------------------------------

ISSUE_PORTUGUESE_SPAM = [  # issue 10: these came back genuine (spam probability 0.05-0.13)
    "Ganhe seguidores grátis no meu perfil!!! link na bio",
    "Promovemos sua página, mande DM para parceria 💰",
]
GENUINE_ELSEWHERE = [  # written by us: a smoke test, never a metric
    "Que receita incrível, vou fazer amanhã com meus filhos",
    "¿Qué harina usaste para esta masa?",
    "Das Licht in diesem Foto ist wunderschön, welches Objektiv war das?",
]

# written by us while building v6's self-promotion cues (training/comments/arguments.py EVERYWHERE_STUDY
# counts them): a check, never a metric. The last three, in Cyrillic, Japanese and Korean script, are
# the ones the YouTube stacker still misses.
WRITTEN_SELF_PROMOTION = [
    "Sigue mi cuenta para un sorteo gratis!!", "Ikuti akun saya untuk giveaway pulsa gratis!!",
    "Follow my account for a free giveaway!!", "Visita mi canal, subo videos de maquillaje cada semana 💄",
    "Suscríbete a mi canal por favor 🙏", "Se inscreve no meu canal, posto vídeo todo dia!",
    "Segue meu perfil que eu sigo de volta", "Passa no meu perfil e deixa seu like ❤️",
    "Folge mir für mehr Fitness Tipps!", "Schaut mal auf meinem Kanal vorbei, neues Video ist online",
    "Abonniert meinen Kanal bitte!", "Venez voir ma chaîne, nouvelle vidéo chaque semaine !",
    "Abonnez-vous à ma page svp", "Passate dal mio profilo, vi aspetto!",
    "Iscrivetevi al mio canale per favore", "Mampir ke akun aku ya kak, jualan baju murah",
    "Cek ig aku dong kak, ada promo skincare", "Kanalıma abone olur musunuz lütfen",
    "Gana dinero desde casa, escríbeme al privado", "Ganhe seguidores grátis no meu perfil!!! link na bio",
    "Wil je meer volgers? Stuur me een DM", "Zarabiaj 500 zł dziennie, napisz do mnie",
    "Hazte rico con bitcoin, mi asesor me ayudó, escríbele por whatsapp +1 555 123 4567",
    "Chcesz więcej obserwujących? Zajrzyj na mój profil",
    "Подписывайтесь на мой канал, там много интересного", "私のチャンネルも見てください！",
    "제 채널도 구독해주세요!",
]
# one a language (es, pt, de, fr, it, id, tr, pl), for every platform that calls self-promotion spam
SELF_PROMOTION_ELSEWHERE = [WRITTEN_SELF_PROMOTION[i] for i in (4, 5, 10, 12, 14, 1, 17)] + [
    "Zajrzyj na mój profil, nowy film co tydzień"]

@pytest.fixture
def e5_client(tmp_path, e5_embedder):
    from server import create_app
    from tests.conftest import TOKEN

    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "API_TOKEN": TOKEN, "LOAD_MODELS": False,
                      "EMBED_MODEL": "e5", "EMBED_BACKEND": "onnx-int8"})
    services = app.extensions["microscout"]
    services.embedder = e5_embedder
    services.start()
    services.wait(120)
    return app.test_client()


@pytest.mark.slow
@pytest.mark.parametrize("platform", [None, "instagram"])
def test_the_issues_portuguese_spam_comes_back_spam_with_e5(e5_client, auth, platform):
    items = [{"text": t, **({"platform": platform} if platform else {})}
             for t in ISSUE_PORTUGUESE_SPAM + GENUINE_ELSEWHERE]
    response = e5_client.post("/v1/comments/classify", json={"comments": items}, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    verdicts = body["comments"]
    assert [v["label"] for v in verdicts[:2]] == ["spam", "spam"], verdicts[:2]
    assert all(v["label"] != "spam" for v in verdicts[2:]), verdicts[2:]
    assert any("offers followers" in r for r in verdicts[0]["reasons"])
    # the model served is the one trained on e5's vectors
    models = e5_client.get("/v1/models", headers=auth).get_json()["models"]
    served = next(m for m in models if m["name"] == "comments")
    assert served["active"] == body["model"] and served["embedder"].startswith("multilingual-e5-small@")
    assert next(v for v in served["versions"] if v["active"])["embedder"] == served["embedder"]


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["youtube", "tiktok"])
def test_self_promotion_in_other_languages_is_spam_where_english_self_promotion_is(e5_client, auth,
                                                                                   platform):
    """YouTube's labels (and so the pooled stacker TikTok gets) call "subscribe to my channel" spam: the
    same words in other languages get the same verdict and the same reason; on Instagram, where
    ScamSpot labels self-promotion real, they stay genuine (the README's convention)."""
    items = [{"text": t, "platform": platform} for t in SELF_PROMOTION_ELSEWHERE + GENUINE_ELSEWHERE]
    response = e5_client.post("/v1/comments/classify", json={"comments": items}, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    verdicts = response.get_json()["comments"]
    promotion = verdicts[:len(SELF_PROMOTION_ELSEWHERE)]
    assert [v["label"] for v in promotion] == ["spam"] * len(promotion), promotion
    assert all(any("self-promotion" in r or "subscribes" in r for r in v["reasons"]) for v in promotion)
    assert all(v["label"] != "spam" for v in verdicts[len(SELF_PROMOTION_ELSEWHERE):])
    on_instagram = [{"text": t, "platform": "instagram"} for t in SELF_PROMOTION_ELSEWHERE]
    response = e5_client.post("/v1/comments/classify", json={"comments": on_instagram}, headers=auth)
    assert "spam" not in [v["label"] for v in response.get_json()["comments"]]


@pytest.mark.slow
def test_the_written_self_promotion_is_spam_on_youtube_but_in_three_scripts(e5_client, auth):
    items = [{"text": t, "platform": "youtube"} for t in WRITTEN_SELF_PROMOTION]
    response = e5_client.post("/v1/comments/classify", json={"comments": items}, headers=auth)
    labels = [v["label"] for v in response.get_json()["comments"]]
    assert labels[:-3] == ["spam"] * (len(WRITTEN_SELF_PROMOTION) - 3), labels
