"""Demo pictures drawn with Pillow: one small scene per subject, so a cover fits its post.

Each scene is drawn at 1200 x 675 (16:9, what covers are cropped to) from simple shapes; a seed
varies the details. ``python web/manage.py shell -c "from cblog.posts import demo_art;
demo_art.write_body_pictures()"`` redraws the in-text pictures shipped under
``static/img/demo/`` (static, so their URLs never expire like presigned media URLs do).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

W, H = 1200, 675
Colour = tuple[int, int, int]
BODY_PICTURES = {  # file name under static/img/demo/ -> (scene, seed)
    "lycian-coast.jpg": ("coast_evening", 11),
    "phone-golden-hour.jpg": ("golden", 12),
    "phone-blue-hour.jpg": ("blue_hour", 13),
}


def _sky(top: Colour, bottom: Colour) -> Image.Image:
    gradient = Image.linear_gradient("L").resize((W, H))
    return ImageOps.colorize(gradient, black=top, white=bottom)


def _ridge(
    draw: ImageDraw.ImageDraw, rng: random.Random, base: int, height: int, colour: Colour
) -> None:
    points, x = [(0, H)], 0
    while x <= W:
        points.append((x, base - rng.randint(0, height)))
        x += rng.randint(60, 160)
    points += [(W, base - rng.randint(0, height)), (W, H)]
    draw.polygon(points, fill=colour)


def coast(rng: random.Random) -> Image.Image:
    """Mountains falling into a turquoise sea, with a trail line: the Lycian Way."""
    image = _sky((125, 185, 232), (236, 244, 250))
    draw = ImageDraw.Draw(image)
    draw.ellipse([880, 90, 990, 200], fill=(255, 244, 214))
    _ridge(draw, rng, 330, 120, (120, 146, 160))
    _ridge(draw, rng, 420, 140, (76, 110, 84))
    draw.rectangle([0, 470, W, H], fill=(32, 150, 168))
    for y in range(480, H, 18):
        draw.line(
            [(rng.randint(0, 600), y), (rng.randint(600, W), y)], fill=(90, 190, 200), width=2
        )
    trail = [(0, 440), (220, 410), (420, 450), (640, 400), (860, 430), (W, 395)]
    draw.line(trail, fill=(222, 196, 140), width=7, joint="curve")
    return image


def coast_evening(rng: random.Random) -> Image.Image:
    """The same coast from a village terrace at the end of a day's walk."""
    image = _sky((92, 72, 140), (250, 190, 140))
    draw = ImageDraw.Draw(image)
    _ridge(draw, rng, 360, 110, (84, 70, 110))
    draw.rectangle([0, 430, W, H], fill=(70, 90, 140))
    for y in range(440, H, 16):
        draw.line(
            [(rng.randint(300, 600), y), (rng.randint(600, 900), y)], fill=(240, 200, 160), width=2
        )
    draw.rectangle([0, 560, W, H], fill=(120, 84, 60))  # the terrace wall
    draw.polygon([(860, 470), (900, 470), (892, 556), (868, 556)], fill=(180, 60, 40))  # tea glass
    draw.ellipse([850, 548, 910, 566], fill=(230, 220, 200))
    return image


def bread(rng: random.Random) -> Image.Image:
    """A scored sourdough loaf on a floured board."""
    image = _sky((120, 82, 52), (196, 152, 110))
    draw = ImageDraw.Draw(image)
    draw.ellipse([170, 470, 1030, 640], fill=(92, 60, 36))
    for _ in range(400):
        x, y = rng.randint(150, 1050), rng.randint(440, 660)
        draw.point((x, y), fill=(240, 232, 220))
    draw.ellipse([250, 170, 950, 560], fill=(176, 104, 44))
    draw.ellipse([290, 200, 910, 520], fill=(204, 132, 62))
    draw.arc([380, 230, 880, 520], 200, 330, fill=(244, 214, 160), width=18)
    for n in range(5):
        draw.ellipse([380 + n * 90, 300, 400 + n * 90, 312], fill=(244, 226, 190))
    return image


def network(rng: random.Random) -> Image.Image:
    """A load balancer fanning out to three healthy servers, drawn as a diagram."""
    image = _sky((15, 23, 42), (30, 41, 69))
    draw = ImageDraw.Draw(image)
    for x in range(0, W, 40):
        draw.line([(x, 0), (x, H)], fill=(36, 48, 78))
    draw.rounded_rectangle([470, 90, 730, 190], radius=18, fill=(59, 130, 246))
    for n in range(3):
        left = 160 + n * 330
        draw.line([(600, 190), (left + 110, 430)], fill=(148, 163, 184), width=5)
        draw.rounded_rectangle([left, 430, left + 220, 590], radius=14, fill=(51, 65, 85))
        for row in range(3):
            draw.rectangle(
                [left + 24, 456 + row * 40, left + 150, 476 + row * 40], fill=(100, 116, 139)
            )
        draw.ellipse([left + 170, 454, left + 200, 484], fill=(34, 197, 94))
    return image


def golden(rng: random.Random) -> Image.Image:
    """A low sun over a hazy horizon with a tree silhouette: golden hour."""
    image = _sky((255, 170, 80), (255, 226, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse([500, 330, 700, 530], fill=(255, 248, 220))
    image = image.filter(ImageFilter.GaussianBlur(6))
    draw = ImageDraw.Draw(image)
    _ridge(draw, rng, 520, 50, (112, 66, 60))
    trunk_x = 200 + rng.randint(0, 80)
    draw.rectangle([trunk_x, 330, trunk_x + 22, 560], fill=(60, 34, 30))
    draw.ellipse([trunk_x - 110, 220, trunk_x + 130, 400], fill=(60, 34, 30))
    return image


def blue_hour(rng: random.Random) -> Image.Image:
    """The same horizon after sunset: deep blue sky, first lights in the valley."""
    image = _sky((24, 40, 92), (116, 132, 196))
    draw = ImageDraw.Draw(image)
    _ridge(draw, rng, 520, 50, (20, 24, 48))
    for _ in range(40):
        x, y = rng.randint(0, W), rng.randint(560, 660)
        draw.ellipse([x, y, x + 6, y + 6], fill=(255, 214, 120))
    return image


def train(rng: random.Random) -> Image.Image:
    """A night train with lit windows under a moon and stars."""
    image = _sky((8, 12, 36), (40, 48, 96))
    draw = ImageDraw.Draw(image)
    for _ in range(120):
        x, y = rng.randint(0, W), rng.randint(0, 380)
        draw.point((x, y), fill=(230, 230, 255))
    draw.ellipse([930, 70, 1030, 170], fill=(246, 240, 210))
    draw.ellipse([958, 60, 1058, 160], fill=(12, 18, 46))
    _ridge(draw, rng, 470, 80, (18, 26, 52))
    draw.rectangle([0, 560, W, H], fill=(14, 18, 30))
    draw.line([(0, 560), (W, 560)], fill=(110, 110, 130), width=4)
    for car in range(4):
        left = 60 + car * 280
        draw.rounded_rectangle([left, 440, left + 260, 552], radius=16, fill=(120, 28, 40))
        for window in range(5):
            wx = left + 18 + window * 48
            draw.rectangle([wx, 462, wx + 34, 492], fill=(255, 214, 130))
    return image


def soup(rng: random.Random) -> Image.Image:
    """A bowl of miso soup seen from above: tofu cubes and spring onion."""
    image = _sky((58, 46, 40), (92, 74, 62))
    draw = ImageDraw.Draw(image)
    draw.ellipse([330, 60, 870, 600], fill=(30, 30, 34))
    draw.ellipse([370, 100, 830, 560], fill=(212, 160, 92))
    for _ in range(9):
        x, y = rng.randint(440, 700), rng.randint(170, 430)
        draw.rectangle([x, y, x + 52, y + 52], fill=(250, 246, 232))
    for _ in range(18):
        x, y = rng.randint(420, 760), rng.randint(150, 500)
        draw.ellipse([x, y, x + 24, y + 24], outline=(90, 160, 60), width=6)
    return image


def dark_mode(rng: random.Random) -> Image.Image:
    """A page split between a light and a dark theme, a sun on one side and a moon on the other."""
    image = Image.new("RGB", (W, H), (250, 250, 249))
    draw = ImageDraw.Draw(image)
    draw.rectangle([W // 2, 0, W, H], fill=(17, 18, 20))
    for side, ink in ((0, (68, 64, 60)), (W // 2, (200, 198, 194))):
        for row in range(6):
            width = rng.randint(260, 440)
            draw.rounded_rectangle(
                [side + 80, 260 + row * 56, side + 80 + width, 284 + row * 56], radius=10, fill=ink
            )
    draw.ellipse([240, 80, 360, 200], fill=(251, 191, 36))
    draw.ellipse([840, 80, 960, 200], fill=(229, 231, 235))
    draw.ellipse([872, 66, 992, 186], fill=(17, 18, 20))
    return image


SCENES: dict[str, Callable[[random.Random], Image.Image]] = {
    "coast": coast,
    "coast_evening": coast_evening,
    "bread": bread,
    "network": network,
    "golden": golden,
    "blue_hour": blue_hour,
    "train": train,
    "soup": soup,
    "dark_mode": dark_mode,
}


def draw(scene: str, seed: int = 0) -> Image.Image:
    """The named scene (see ``SCENES``), 1200 x 675, RGB."""
    return SCENES[scene](random.Random(seed)).convert("RGB")  # noqa: S311 - decoration


def jpeg(scene: str, seed: int = 0, size: tuple[int, int] = (W, H)) -> bytes:
    image = draw(scene, seed)
    if size != (W, H):
        image = image.resize(size, Image.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()


def write_body_pictures(folder: Path | None = None) -> None:
    """Redraw the in-text demo pictures shipped as static files (800 x 450)."""
    folder = folder or Path(__file__).resolve().parents[1] / "static" / "img" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (scene, seed) in BODY_PICTURES.items():
        (folder / name).write_bytes(jpeg(scene, seed, size=(800, 450)))
