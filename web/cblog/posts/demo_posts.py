# ruff: noqa: RUF001 - prose: Turkish place names and typographic dashes are meant
"""The demo blog's words: three authors, their bios, and the posts each of them wrote."""

from __future__ import annotations

from typing import NamedTuple

AUTHORS = {
    "alice": (
        "Alice",
        "Martin",
        "Walks long-distance trails and takes the train to get there. Photographs everything on "
        "a phone. Lives in Lyon.",
    ),
    "bruno": (
        "Bruno",
        "Costa",
        "Bakes bread before work and cooks fast after it. Writes recipes that fit a weeknight. "
        "Lisbon.",
    ),
    "chen": (
        "Chen",
        "Wei",
        "Runs web platforms for a living and writes down what broke, why, and what fixed it.",
    ),
}
CATEGORIES = {
    "Travel": "Trails, trains and the places in between.",
    "Food": "Bread, soup and other things worth making at home.",
    "Technology": "Notes from running websites in production.",
    "Photography": "Light, phones and pictures that work.",
}


def unwrap(markdown: str) -> str:
    """Join the hard-wrapped lines of each paragraph and quote (not code, lists or tables).

    The texts below are wrapped to fit this file; the blog renders single newlines as line
    breaks (Markdown's nl2br), which a writer typing in the editor expects.
    """
    out: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            out.append(line)
            continue
        previous = out[-1] if out else ""
        continues = (
            not fenced
            and line.strip()
            and previous.strip()
            and not previous.startswith(("```", "#", "|", "!["))
            and not line.startswith(
                ("#", "|", "![", "- ", "1.", "2.", "3.", "4.", "5.", "6.", "7.")
            )
        )
        if continues and line.startswith("> ") and previous.startswith("> "):
            out[-1] = f"{previous} {line[2:]}"
        elif continues and not line.startswith("> "):
            out[-1] = f"{previous} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out) + "\n"


class DemoPost(NamedTuple):
    title: str
    author: str
    category: str
    tags: tuple[str, ...]
    scene: str  # the cover's scene in demo_art
    days_ago: int
    body: str
    comments: tuple[tuple[str, str], ...] = ()  # (reader, text)


LYCIAN_WAY = """The Lycian Way runs about 540 km along Turkey's south-west coast, from Ölüdeniz
to the hills above Antalya. I had a week, so I walked the western third: Faralya to Kaş,
with a bus to skip the one stretch of main road.

![Evening over the bay from a village terrace](/static/img/demo/lycian-coast.jpg)

## Day by day

1. **Faralya to Kabak** — short and steep; arrive early and swim.
2. **Kabak to Alınca** — the hardest climb of the week, 900 m up a mule track.
3. **Alınca to Gey** — a ridge walk with the sea on one side and pines on the other.
4. **Gey to Bel** — easy, through terraces and a village with one shop.
5. **Bel to Gavurağılı** — down to the coast again, goats for company.
6. **Gavurağılı to Patara** — ruins, then 18 km of sand.
7. **Kalkan to Kaş** — the last day, with a dolmuş to the start.

## What I packed, and what I should have

- Two litres of water capacity was not enough in May. Carry three.
- Trail runners, not boots: the path is rocky but dry.
- A paper map. The waymarks (red and white stripes) vanish exactly where you need them.
- Cash. Village pensions rarely take cards, and the nearest machine can be a day away.

> The best hour of every day was the last one: shoes off, tea on the terrace, and the
> light turning the sea from blue to silver.

## Where to sleep

Pensions in the villages cost 30–45 € for half board, and the dinners are the best food
on the trip. Book a night ahead in spring; in October you can just turn up. Camping is
tolerated on beaches but not in villages.

I would go back for the eastern half tomorrow. If you go, start early, carry more water
than you think, and say yes to every glass of tea you are offered.
"""

SOURDOUGH = """Most sourdough recipes read like a lab protocol. This one fits around a working
day, and it has made good bread in three different kitchens.

## You need

- 100 g active starter (fed 4–8 hours before, bubbly, smells like yoghurt)
- 375 g water, lukewarm
- 500 g bread flour (or 450 g bread flour and 50 g wholemeal)
- 10 g salt

## The schedule

| when | what | time it takes |
|---|---|---|
| 07:30 | mix starter, water and flour | 5 minutes |
| 08:00 | add the salt, squeeze it in | 2 minutes |
| 08:30 – 10:00 | three sets of stretch and fold | 1 minute each |
| 10:00 – 17:00 | leave it alone, covered | — |
| 17:30 | shape, into a floured bowl, into the fridge | 10 minutes |
| next morning | bake from cold | 45 minutes |

## Baking

Heat the oven to 250 °C with a lidded pot inside for 45 minutes. Tip the dough onto baking
paper, cut one confident slash, and lower it in. Twenty minutes with the lid on, then
20–25 without, until the crust is darker than you think it should be.

> Under-baked bread is the most common mistake. Dark crust is flavour, not failure.

Wait an hour before cutting it. I know.
"""

HEALTH_CHECK = """Our load balancer marked every instance unhealthy the morning after a deploy,
and the site answered with a 503 for eleven minutes. The application was fine. The health
check was asking a question we had never thought about.

## What the check sends

An Application Load Balancer sends a plain HTTP request to each target, and the `Host`
header is the target's **private IP address**, not your domain:

```
GET /healthz HTTP/1.1
Host: 10.0.12.34:80
User-Agent: ELB-HealthChecker/2.0
```

Django compares `Host` with `ALLOWED_HOSTS` before any view runs. `10.0.12.34` was not in
it, so every check got a `400 Bad Request`, and two failed checks in a row took the target
out of service.

## The fix: answer before host validation

Setting `ALLOWED_HOSTS = ["*"]` makes the symptom go away and opens the door to host-header
attacks. Instead, answer the probe in a tiny middleware placed first:

```python
def health_check_middleware(get_response):
    def middleware(request):
        if request.path == "/healthz":
            return HttpResponse("ok", content_type="text/plain")
        return get_response(request)
    return middleware
```

`request.path` does not touch the `Host` header, so nothing validates it.

## What the check should mean

A health check answers one question: *should this instance get traffic?* Keep it cheap and
local:

- do not query the database — one slow database would take every instance out at once;
- do not call other services;
- do answer within the check's timeout, even under load.

A separate readiness endpoint that checks the database is useful for deploys and
dashboards, just not for the load balancer.
"""

GOLDEN_HOUR = """The hour after sunrise and the hour before sunset do most of the work for you:
the light is low, warm and soft, and shadows are long enough to give a flat landscape some
shape. A phone is enough to catch it, if you stop it from "fixing" the picture.

![A tree against a low sun, taken ten minutes before sunset](/static/img/demo/phone-golden-hour.jpg)

## Three settings that matter

1. **Lock exposure on the bright part of the sky.** Long-press on it, then pull the
   brightness slider down a little. The phone wants to brighten the shadows; let them be dark.
2. **Turn off the "scene optimiser".** It cranks saturation until sunsets look radioactive.
3. **Shoot in the phone's raw format** if it has one, so you can bring the warmth back later.

## Composition

Put the sun at the edge of the frame, or behind something — a tree, a person, a wall —
so the lens does not flare across the whole picture. Silhouettes are forgiving: they only
need a clean outline.

![The same valley twenty minutes later, at blue hour](/static/img/demo/phone-blue-hour.jpg)

> Do not put the phone away when the sun goes down. Blue hour, twenty minutes later, is
> the quieter half of the show.
"""

NIGHT_TRAINS = """Ten years ago the night train from Paris to the Alps was cancelled and the
sleeper from Brussels to Vienna was a memory. Now you can fall asleep in one capital and
wake up in another on a dozen routes, and I have spent this year trying them.

## The ones I would take again

- **Paris – Vienna** (Nightjet): the best-run of the lot; the breakfast is small but hot.
- **Brussels – Berlin** (European Sleeper): older carriages, friendly crew, late more often
  than not.
- **Stockholm – Narvik**: the most beautiful morning of any train I know.

## Couchette, sleeper or seat?

A couchette is a bunk in a shared compartment of four or six; it costs a little more than
a seat and is the sweet spot for most trips. A private sleeper with a washbasin is a hotel
room that moves. A seat all night is for the young and the very tired.

> Book as soon as the sale opens — usually 3 to 6 months ahead. The cheap couchettes go first.

Bring earplugs, a bottle of water and something to read. Arriving rested in a city centre
at 8 a.m. is the whole point, and no flight can match it.
"""

MISO_SOUP = """This is the soup I make when I come home tired and hungry. It takes ten minutes
and one pot, and it tastes like much more effort.

## For two bowls

- 700 ml water and 1 teaspoon of instant dashi (or a strip of kombu, soaked for an hour)
- 2 tablespoons of white or mixed miso
- 150 g silken tofu, in cubes
- a handful of wakame, soaked for five minutes
- two spring onions, sliced

## Method

1. Bring the water and dashi to a simmer.
2. Add the tofu and wakame; warm them through for two minutes.
3. Take the pot off the heat. Loosen the miso in a ladle of broth, then stir it in.
4. Serve at once, with the spring onion on top.

> Never boil miso. It turns grainy and loses the flavour you paid for.

Add whatever needs eating: spinach, mushrooms, a soft egg. It is a weeknight soup, not a
ceremony.
"""

DARK_MODE = """Dark mode sounds like a feature; on a small site it is mostly a stylesheet
written the right way from the start. Ours took seven declarations.

## Colours as variables

If every colour in your CSS is already a custom property, the dark theme is just another
set of values:

```css
:root { --bg: #fafaf9; --text: #1c1917; --accent: #1d4ed8; }

@media (prefers-color-scheme: dark) {
  :root { --bg: #111214; --text: #ecebe9; --accent: #93b4ff; }
}
```

Add `color-scheme: light dark` so form controls and scrollbars follow along.

## Check the contrast twice

A blue that passes 4.5:1 on white usually fails on near-black. So does the focus ring:
ours is blue in the light theme and amber in the dark one, each at least 3:1 against the
page. An accessibility checker in the test suite catches the rest.
"""

SHOWCASE = [
    DemoPost(
        "A week on the Lycian Way",
        "alice",
        "Travel",
        ("hiking", "turkey"),
        "coast",
        12,
        unwrap(LYCIAN_WAY),
        (
            ("reader1", "Bookmarked for next spring. How heavy was your pack in the end?"),
            ("alice", "About 7 kg without water. The water was the heavy part!"),
            ("reader3", "Alınca is the best village on the whole trail."),
        ),
    ),
    DemoPost(
        "Sourdough without the fuss",
        "bruno",
        "Food",
        ("baking", "bread"),
        "bread",
        10,
        unwrap(SOURDOUGH),
        (("reader2", "Made this on Sunday. First loaf that did not spread flat, thank you."),),
    ),
    DemoPost(
        "What a load balancer health check really asks",
        "chen",
        "Technology",
        ("aws", "django"),
        "network",
        8,
        unwrap(HEALTH_CHECK),
        (("reader4", "We hit exactly this. The private IP as Host got us too."),),
    ),
    DemoPost(
        "Golden hour on a phone camera",
        "alice",
        "Photography",
        ("light", "phones"),
        "golden",
        6,
        unwrap(GOLDEN_HOUR),
    ),
    DemoPost(
        "Night trains are back",
        "alice",
        "Travel",
        ("trains", "europe"),
        "train",
        4,
        unwrap(NIGHT_TRAINS),
        (("reader5", "The Stockholm–Narvik morning is unreal. Agreed."),),
    ),
    DemoPost(
        "Ten-minute miso soup", "bruno", "Food", ("quick", "soup"), "soup", 2, unwrap(MISO_SOUP)
    ),
    DemoPost(
        "Dark mode in seven declarations",
        "chen",
        "Technology",
        ("css", "accessibility"),
        "dark_mode",
        1,
        unwrap(DARK_MODE),
    ),
]

BULK_BODY = """A generated post for load tests and pagination.

## It has a heading

- and a list
- with two items

> And a short quote, so the page has the usual parts.
"""
