"""Draw S3_static_Website/under-construction.png, the failover site's picture, with Pillow.

Run ``uv run python docs/make_site_picture.py`` (needs the DejaVu fonts, Debian's
fonts-dejavu-core) and commit the PNG; nothing regenerates it at deploy time.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "S3_static_Website" / "under-construction.png"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
WIDTH, HEIGHT = 960, 540
SKY, GROUND = (232, 240, 248), (96, 108, 122)
YELLOW, BLACK, ORANGE, WHITE = (255, 196, 0), (30, 30, 30), (240, 110, 20), (255, 255, 255)


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size)


def barrier(draw: ImageDraw.ImageDraw, left: int, top: int, width: int, height: int) -> None:
    """A striped road barrier on two legs."""
    for leg in (left + 30, left + width - 50):
        draw.rectangle((leg, top + height, leg + 20, top + height + 120), fill=(70, 70, 70))
    draw.rectangle((left, top, left + width, top + height), fill=YELLOW, outline=BLACK, width=4)
    stripe = 46
    for x in range(left - height, left + width, stripe * 2):
        polygon = [
            (x, top + height),
            (x + stripe, top + height),
            (x + stripe + height, top),
            (x + height, top),
        ]
        clipped = [(min(max(px, left), left + width), py) for px, py in polygon]
        draw.polygon(clipped, fill=BLACK)
    draw.rectangle((left, top, left + width, top + height), outline=BLACK, width=4)


def cone(draw: ImageDraw.ImageDraw, centre: int, base: int, size: int) -> None:
    """A traffic cone with two reflective bands."""
    half = size // 2
    draw.rectangle((centre - half - 14, base - 14, centre + half + 14, base), fill=BLACK)
    draw.polygon(
        [(centre - half, base - 14), (centre + half, base - 14), (centre, base - size * 2)],
        fill=ORANGE,
    )
    for fraction in (0.35, 0.65):
        y = base - 14 - int((size * 2 - 14) * fraction)
        spread = int(half * (1 - fraction))
        draw.rectangle((centre - spread, y - 8, centre + spread, y + 8), fill=WHITE)


def main() -> None:
    image = Image.new("RGB", (WIDTH, HEIGHT), SKY)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 430, WIDTH, HEIGHT), fill=GROUND)
    barrier(draw, 250, 300, 460, 70)
    cone(draw, 150, 470, 70)
    cone(draw, 820, 470, 70)

    title = font("DejaVuSans-Bold.ttf", 54)
    text = "Under construction"
    draw.text((WIDTH // 2, 110), text, font=title, fill=BLACK, anchor="mm")
    body = font("DejaVuSans.ttf", 28)
    draw.text(
        (WIDTH // 2, 185),
        "The blog is being worked on and will be back shortly.",
        font=body,
        fill=(60, 60, 60),
        anchor="mm",
    )
    draw.text(
        (WIDTH // 2, 230), "Thank you for your patience.", font=body, fill=(60, 60, 60), anchor="mm"
    )
    OUT.parent.mkdir(exist_ok=True)
    image.save(OUT, optimize=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
