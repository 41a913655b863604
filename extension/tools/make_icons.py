"""Draw the extension's PNG icons (a scout's magnifier on a teal tile) into src/icons/.

Run once after changing the design: `.venv/bin/python extension/tools/make_icons.py`.
Drawn at 8x and downsampled so the small sizes stay smooth.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZES = (16, 32, 48, 128)
TILE = (31, 111, 92, 255)
LENS = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "src" / "icons"


def draw(size: int) -> Image.Image:
    scale = 8
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=TILE)
    ring = big * 0.10
    cx, cy, r = big * 0.43, big * 0.43, big * 0.23
    pen.ellipse((cx - r, cy - r, cx + r, cy + r), outline=LENS, width=round(ring))
    start, end = big * 0.60, big * 0.80
    pen.line((start, start, end, end), fill=LENS, width=round(ring * 1.3))
    pen.ellipse((end - ring * 0.65, end - ring * 0.65, end + ring * 0.65, end + ring * 0.65), fill=LENS)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
        print(OUT / f"icon-{size}.png")


if __name__ == "__main__":
    main()
