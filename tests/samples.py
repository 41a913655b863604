"""Hand-written creator snapshots that look like what the extension captures."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

RUNNING_CAPTIONS = [
    "Sunday long run: 18 km along the river at easy pace. Legs felt fresh after the deload week.",
    "Interval session on the track today: 6 x 800 m at 5k pace with 90 s jog recovery.",
    "My marathon training plan, week 9 of 16. Mileage up to 62 km, one workout, one long run.",
    "Trying the new carbon-plate trainers on a tempo run. Honest review in stories. #ad @fastfeet",
    "Recovery matters: foam rolling, mobility and eight hours of sleep after the half marathon.",
    "Race day! Finished the city half marathon in 1:29, a new personal best by two minutes.",
    "Hill repeats in the rain. 10 x 60 s uphill, walk down. Strength for the legs and the head.",
    "What I eat before a long run: oats, banana, coffee. Fuel every 40 minutes with gels.",
    "Easy 8 km shakeout with the Tuesday run club. Come join us, all paces welcome.",
    "Gifted these socks by @runwear, use code RUN10 for 10% off",
    "Trail running in the mountains this weekend: 25 km and 1,200 m of climbing.",
    "Marathon taper week: less volume, keep a bit of intensity, trust the training.",
]

COMMENTS = [
    ("anna.runs", "What pace do you run your easy days at? I always go too fast", 0),
    ("mike_t", "Congrats on the PB! How did you pace the second half?", 5),
    ("sara.k", "The hill repeats look brutal, how many weeks before a race do you stop them?", 1),
    ("creator", "Thanks Anna! Around 5:40 per km, conversational pace", 0),
    ("jo", "🔥🔥🔥", 0),
    ("promo_bot", "Check out my page for free followers!!! link in bio", 0),
    ("cryptoqueen", "I made $5000 this week with bitcoin trading, DM me to learn how", 0),
    ("lena.fit", "Love it", 0),
    ("tom", "Which gels do you use? My stomach hates most of them", 2),
    ("runner88", "Great review of the trainers, do they run true to size?", 3),
]


def snapshot(**overrides: Any) -> dict[str, Any]:
    """A micro running creator on Instagram: 12 posts, 10 comments on the first posts."""
    data: dict[str, Any] = {
        "platform": "instagram",
        "handle": "creator",
        "display_name": "Casey Runs",
        "bio": "Marathon runner and coach. Training plans, race reports and honest gear reviews.",
        "followers": 24_300,
        "following": 410,
        "posts_count": 320,
        "posts": [
            {"id": f"p{i}", "caption": caption, "likes": 900 + 37 * i, "comments_count": 30 + i,
             "paid_partnership": i == 3}
            for i, caption in enumerate(RUNNING_CAPTIONS)
        ],
        "comments": [
            {"id": f"c{i}", "post_id": f"p{i % 3}", "author": author, "text": text, "likes": likes,
             "by_creator": author == "creator"}
            for i, (author, text, likes) in enumerate(COMMENTS)
        ],
    }
    data.update(copy.deepcopy(overrides))
    return data


RUNNING_NICHE = {"name": "Running",
                 "description": "Road and trail running, marathon training, races and gear.",
                 "keywords": ["marathon", "running", "race", "training plan", "trail run"]}


SCORE_FILE = Path(__file__).parent / "fixtures" / "score.json"  # a real /v1/score answer


def score(followers: int | None = 24_300, tier: str | None = "micro", overall: float | None = 70.0,
          authenticity: float | None = 80.0, rate: float | None = 0.04,
          fit: dict[str, float | None] | None = None, handle: str = "creator") -> dict[str, Any]:
    """A whole /v1/score answer (a real one) with the numbers the watchlist reads set as given."""
    answer = json.loads(SCORE_FILE.read_text(encoding="utf-8"))
    answer["creator"].update(followers=followers, tier=tier, handle=handle)
    answer["overall"]["score"] = overall
    answer["authenticity"]["score"] = authenticity
    answer["engagement"]["rate"] = rate
    template = answer["niche_fit"][0]
    answer["niche_fit"] = [{**template, "niche": niche, "name": niche.title(), "score": value}
                           for niche, value in ({"running": 81.5} if fit is None else fit).items()]
    return answer
