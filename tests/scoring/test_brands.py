"""The brand rules on realistic captions in several languages: who a creator worked with, when, in
which post, disclosed or not; competitor collaborations against the exclusivity window; saturation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.schemas import Snapshot
from server.scoring import brands, disclosure

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PROFILE = brands.BrandProfile.from_record({
    "names": ["Stride Co"], "handles": ["stride.co"],
    "competitors": [{"name": "FastFeet", "handles": ["fastfeet", "fastfeet.es"]},
                    {"name": "Bergkraft", "handles": ["bergkraft"]}]})


def build(posts: list[dict]) -> Snapshot:
    return Snapshot.model_validate({
        "platform": "instagram", "handle": "creator", "captured_at": NOW.isoformat(),
        "posts": [{"id": f"p{i}", "posted_at": (NOW - timedelta(days=p.pop("days", 3 + i))).isoformat(), **p}
                  for i, p in enumerate(posts)]})


def assess(posts: list[dict], profile: brands.BrandProfile = PROFILE, terms: str | None = None) -> dict:
    snapshot = build(posts)
    return brands.assess(snapshot, disclosure.assess(snapshot)["posts"], profile, terms)


def worked(result: dict) -> dict[str, dict]:
    return {(e["name"], e["post_id"]): e for e in result["worked_with"]}


# ---- who, when, which post, disclosed --------------------------------------------------------

@pytest.mark.parametrize(("caption", "extra", "name", "disclosed", "via"), [
    # en: a clear #ad with the brand's handle
    ("Testing the new carbon racers on a tempo run. Honest review in stories. #ad @fastfeet", {},
     "FastFeet", True, ["mention"]),
    # es: "publi" before "more" with the brand's Spanish account
    ("#publi Mis zapatillas para la maratón de Valencia, gracias @fastfeet.es por el envío 🙌", {},
     "FastFeet", True, ["mention"]),
    # pt: the platform's paid-partnership sponsor, caption says nothing
    ("Longão de domingo com o tênis novo, 28 km sem bolhas",
     {"paid_partnership": True, "sponsors": ["fastfeet"]},
     "FastFeet", False, ["paid partnership"]),
    # de: "Werbung" and the brand tagged in the photo
    ("Werbung | Drei Tage im Karwendel mit dem neuen Rucksack, Packliste in den Stories",
     {"tagged": ["bergkraft"]}, "Bergkraft", True, ["tag"]),
    # de: a gifted product, the disclosure after the hashtag block (weak)
    ("Neue Jacke für den Gipfel am Wochenende #wandern #berge #alpen #gipfel #bergkraftpartner @bergkraft",
     {},
     "Bergkraft", False, ["mention"]),
    # en: an unknown brand in a sponsored post still counts, by its handle ("gifted by @x" is clear)
    ("Gifted these running socks by @runwear, use code RUN10 for 10% off", {}, "@runwear", True, ["mention"]),
    # en: an undisclosed code for an unknown brand
    ("New favourite socks from @runwear, use code RUN10 for 10% off", {}, "@runwear", False, ["mention"]),
])
def test_a_sponsored_post_names_who_the_creator_worked_with(caption, extra, name, disclosed, via):
    result = assess([{"caption": caption, **extra}])
    entry = worked(result)[(name, "p0")]
    assert entry["sponsored"] is True
    assert entry["disclosed"] is disclosed
    assert entry["via"] == via
    assert entry["days_ago"] == 3 and entry["date"] == NOW - timedelta(days=3)
    assert entry["competitor"] is (name in ("FastFeet", "Bergkraft"))
    assert any(name in r for r in result["reasons"])


def test_a_friend_mentioned_in_an_organic_post_is_no_brand():
    result = assess([{"caption": "Sunday long run with @anna.runs and @mike_t, 21 km along the river"}])
    assert result["worked_with"] == []
    assert result["saturation"]["promoting_posts"] == 0


def test_a_known_brand_named_without_payment_is_a_mention_not_a_collaboration():
    result = assess([{"caption": "Still racing in my old FastFeet shoes from 2019, nobody paid for this"}])
    (entry,) = result["worked_with"]
    assert entry["name"] == "FastFeet" and entry["sponsored"] is False and entry["via"] == ["name"]
    assert result["competitor_collaborations"] == []
    assert any("no sign of payment" in r for r in result["reasons"])


def test_the_own_brand_is_recognised():
    result = assess([{"caption": "Sponsored: my first run in the Stride Co trail shoes @stride.co"}])
    (entry,) = result["worked_with"]
    assert entry["own_brand"] is True and entry["competitor"] is False
    assert "Has worked with your brand before." in result["reasons"]


def test_a_brand_hashtag_counts_for_a_known_brand():
    result = assess([{"caption": "Anzeige: Hüttentour mit neuer Ausrüstung #bergkraft #wandern"}])
    assert worked(result)[("Bergkraft", "p0")]["via"] == ["hashtag"]


# ---- competitor collaborations and the exclusivity window ------------------------------------

@pytest.mark.parametrize(("terms", "days", "inside"), [
    ("no competing brand for 60 days", 60, True),
    ("Exclusivity: 2 weeks after the last post", 14, False),
    ("keine Konkurrenzmarke für 3 Monate", 90, True),
    ("exclusividad de 6 semanas", 42, True),
    ("", None, None),
    ("exclusive for the campaign", None, None),
])
def test_a_competitor_collaboration_is_flagged_against_the_creators_terms(terms, days, inside):
    result = assess([{"caption": "Race day in the new racers #ad @fastfeet", "days": 20}], terms=terms)
    (flag,) = result["competitor_collaborations"]
    assert flag["name"] == "FastFeet" and flag["days_ago"] == 20
    assert flag["window_days"] == days and flag["inside_window"] is inside
    assert result["exclusivity"]["days"] == days
    first = result["reasons"][0]
    assert first.startswith("Worked with your competitor FastFeet 20 days ago")
    if inside:
        assert f"inside the {days}-day exclusivity" in first


def test_no_brand_profile_says_where_to_set_one():
    result = assess([{"caption": "Race day #ad @fastfeet"}], profile=brands.BrandProfile())
    assert result["profile_set"] is False
    assert result["competitor_collaborations"] == []
    assert worked(result)[("@fastfeet", "p0")]["competitor"] is False
    assert result["reasons"][-1].startswith("Add your brand and competitors in Settings")


@pytest.mark.parametrize(("text", "days"), [
    ("60 days", 60), ("90d", 90), ("1 year", 365), ("4 Wochen", 28), ("2 meses", 60), ("30 jours", 30),
    ("None", None), (None, None),
])
def test_exclusivity_days(text, days):
    assert brands.exclusivity_days(text) == days


# ---- saturation ------------------------------------------------------------------------------

def test_saturation_counts_recent_posts_that_promote_any_brand():
    organic = [{"caption": f"Easy run number {i}, legs fine"} for i in range(8)]
    paid = [{"caption": "#ad my favourite gels @gelco"}, {"caption": "Werbung: @bergkraft Rucksack"},
            {"caption": "#publi @fastfeet.es zapatillas"}, {"caption": "#ad more gels @gelco"}]
    result = assess(paid + organic)
    saturation = result["saturation"]
    assert saturation["posts_analyzed"] == 12 and saturation["promoting_posts"] == 4
    assert saturation["share"] == pytest.approx(4 / 12, abs=1e-4)
    assert saturation["distinct_brands"] == 3 and saturation["level"] == "moderate"


def test_a_feed_of_ads_is_heavy_and_only_the_newest_posts_count():
    ads = [{"caption": f"#ad product {i} from @brand{i}", "days": i} for i in range(10)]
    old = [{"caption": f"An old organic post {i}", "days": 100 + i} for i in range(10)]
    result = assess(old + ads)
    saturation = result["saturation"]
    assert saturation["posts_analyzed"] == brands.RECENT
    assert saturation["promoting_posts"] == 10 and saturation["level"] == "heavy"
    assert any("the feed reads as commercial" in r for r in result["reasons"])
