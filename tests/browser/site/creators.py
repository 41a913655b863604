"""The creators the fake sites show: two per platform, a post page with comments, all invented."""

from __future__ import annotations

from dataclasses import dataclass, field

# A fixed "now" for post dates, so pages are the same on every run (times are in the past).
NOW = 1_767_000_000  # 2025-12-29


@dataclass(frozen=True)
class Post:
    id: str
    caption: str
    likes: int
    comments: int
    views: int | None = None
    days_ago: int = 3
    paid: bool = False

    @property
    def taken_at(self) -> int:
        return NOW - self.days_ago * 86_400


@dataclass(frozen=True)
class Comment:
    id: str
    author: str
    text: str
    likes: int = 0
    replies: int = 0


@dataclass(frozen=True)
class Creator:
    platform: str
    handle: str
    name: str
    bio: str
    followers: int
    following: int
    posts_count: int
    posts: tuple[Post, ...]
    comments: tuple[Comment, ...] = field(default=())  # under posts[0], for the post page
    external_url: str | None = None
    user_id: str = "0"


def _posts(prefix: str, captions: list[str], base_likes: int, paid_index: int | None = None,
           views: int | None = None) -> tuple[Post, ...]:
    return tuple(
        Post(id=f"{prefix}{i:02d}", caption=caption, likes=base_likes + 53 * i, comments=18 + 3 * i,
             views=None if views is None else views + 911 * i, days_ago=2 + 4 * i, paid=i == paid_index)
        for i, caption in enumerate(captions))


RUNNING = [
    "Sunday long run: 21 km along the river at an easy pace. Legs felt fresh after the deload week.",
    "Track Tuesday: 6 x 800 m at 5k pace with 90 s jog recovery. Hardest workout of the block.",
    "Week 9 of my marathon plan: 62 km total, one tempo, one long run, lots of sleep.",
    "Testing the new carbon-plate racers on a tempo run. Honest review in stories. #ad @fastfeet",
    "Recovery day: foam rolling, mobility and a slow 5 km shakeout with the run club.",
    "Race report: city half marathon in 1:29, a new personal best by two minutes!",
    "Hill repeats in the rain. 10 x 60 s uphill, jog down. Strength for the legs and the head.",
    "What I eat before a long run: oats, banana, coffee. Gels every 40 minutes after that.",
    "Trail running in the mountains: 25 km and 1,200 m of climbing. Slow and happy.",
    "Marathon taper: less volume, a little intensity, trust the training.",
    "Gifted these running socks by @runwear, use code RUN10 for 10% off",
    "Easy 8 km with the Thursday crew. All paces welcome, we wait at every corner.",
]
BAKING = [
    "Sourdough day: 78% hydration, overnight cold proof, a proper ear on this loaf.",
    "Cinnamon rolls with brown butter glaze. Recipe card in the next slide.",
    "How I feed my starter: 1:5:5 twice a day when the kitchen is warm.",
    "Lemon drizzle loaf, the one my grandmother baked every Sunday.",
    "Laminating croissant dough by hand: three single folds, rest 30 minutes each.",
    "Focaccia with cherry tomatoes and rosemary, dimpled with olive oil.",
    "Paid partnership with @flourco: their rye flour in a seeded loaf. #ad",
    "Chocolate chip cookies: brown the butter, rest the dough 24 hours, thank me later.",
    "Bagels, boiled with barley malt and topped with everything seasoning.",
    "Pie crust tips: cold butter, cold water, and do not overwork it.",
]
COOKING = [
    "15 minute garlic noodles that taste like takeout #recipe #easydinner",
    "Crispy chickpea salad for lunch all week #mealprep",
    "One pan lemon chicken with potatoes, dinner for four",
    "My 3 ingredient pancakes, no flour needed #breakfast",
    "Spicy peanut tofu bowls, cheaper than delivery",
    "This air fryer salmon changed my weeknights #airfryer",
    "Ad: the knife set from @sharpco makes prep twice as fast",
    "Tomato soup and grilled cheese, the cosy classic",
    "Budget meal prep: 5 lunches for 20 dollars",
    "Homemade dumplings with the kids, messy and worth it",
]
CYCLING = [
    "Gravel loop through the forest, 80 km and one flat tyre",
    "How I clean my chain in 5 minutes #bikemaintenance",
    "Climbing the pass at sunrise, 14 km at 7 percent",
    "Tubeless setup explained for beginners",
    "Group ride Saturday, coffee stop at the bakery",
    "Bikepacking kit list for a 3 day trip",
    "Sponsored by @velogear: their new bib shorts after 500 km #ad",
    "Indoor trainer session: 4 x 8 minutes threshold",
]
HIKING = [
    "Hiking the ridge trail in a day: 32 km, 2,000 m of climbing, full gear list",
    "Ultralight backpacking: how I got my base weight under 5 kg",
    "Winter hiking safety: layers, microspikes and turning back in time",
    "Wild camping by the lake: tent setup and leave-no-trace tips",
    "Testing three water filters on a week-long trek",
    "My first solo hut-to-hut hike in the Alps, day by day",
    "Sponsored: this backpack from @trailpack after 300 km of hiking",
    "Navigation basics: map, compass and when to trust your phone",
]
GAMING = [
    "Speedrunning the first level of a 1991 platformer, frame by frame",
    "Restoring a yellowed console case with retrobright",
    "Top 10 hidden gems on a 16-bit console",
    "Why this old racing game still feels great to play",
    "Building a handheld from a single-board computer",
    "Sponsored: this controller adapter from @retrolink, honest thoughts #ad",
    "CRT vs modern TV: input lag measured",
    "Every boss in a classic action game ranked",
]

IG_COMMENTS = (
    Comment("c1", "anna.runs", "What pace do you run your easy days at? I always go too fast", 4),
    Comment("c2", "mike_t", "Congrats on the PB! How did you pace the second half?", 7),
    Comment("c3", "growth.hub.official", "Want more followers? DM us to collab and grow fast!!! link in bio"),
    Comment("c4", "sara.k", "Those hill repeats look brutal, how many weeks before a race do you stop?", 2),
    Comment("c5", "trailrunner.mia", "Thanks Anna! Around 5:40 per km, conversational pace", 3),
    Comment("c6", "jo", "🔥🔥🔥", 0),
    Comment("c7", "crypto.queen.fx", "I made $5000 this week trading bitcoin, message me to learn how", 0),
    Comment("c8", "tom.r", "Which gels do you use? My stomach hates most of them", 1),
    # a voice: far more likes and replies than the rest, substantive and about running
    Comment("c9", "coach.dani", "Holding back early is the hardest skill in racing. Most runners "
                                "bank time in the "
                                "first 5 km of a half marathon and pay for it twice after 18 km. "
                                "Textbook pacing.",
            46, 6),
)

CREATORS: dict[str, tuple[Creator, Creator]] = {
    "instagram": (
        Creator("instagram", "trailrunner.mia", "Mia Trails",
                "Marathon runner and coach. Training plans, race reports and honest gear reviews.",
                24_300, 410, 312, _posts("C7mia", RUNNING, 910, 3),
                IG_COMMENTS, "https://miatrails.example/plans", "51234"),
        Creator("instagram", "bakewithtom", "Tom Bakes",
                "Home baker. Sourdough, pastry and weekend projects.",
                58_200, 620, 845, _posts("C7tom", BAKING, 2_310, 6), (), "https://tombakes.example", "61234"),
    ),
    "tiktok": (
        Creator("tiktok", "casey.cooks", "Casey Cooks", "Quick dinners for busy people 🍜 new recipe daily",
                41_800, 230, 140, _posts("73100000000000000", COOKING, 2_050, 6, views=38_000),
                (), "caseycooks.example", "6800000000000000001"),
        Creator("tiktok", "gearhead.gus", "Gus Rides", "Bikes, gravel and fixing things 🚲",
                17_900, 180, 96, _posts("73200000000000000", CYCLING, 640, 6, views=9_500),
                (), None, "6800000000000000002"),
    ),
    "youtube": (
        Creator("youtube", "hikewithhana", "Hike with Hana",
                "Long-distance hiking, gear tests and trail guides. New video every Friday.",
                33_100, 0, 84, _posts("hanaVideo", HIKING, 0, 6, views=21_000),
                (), "https://hikewithhana.example", "UChanaaaaaaaaaaaaaaaaaaa"),
        Creator("youtube", "pixelpete", "Pixel Pete", "Retro games, repairs and speedruns.", 72_400, 0, 215,
                _posts("peteVideo", GAMING, 0, 5, views=48_000), (), None, "UCpeteeeeeeeeeeeeeeeeeee"),
    ),
}


def creator(platform: str, handle: str) -> Creator | None:
    return next((c for c in CREATORS[platform] if c.handle.lower() == handle.lower()), None)
