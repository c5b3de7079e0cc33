"""The drawn "photos" of the demo catalogue (``demo.py``), made without shipping any.

Each is a "studio shot": a backdrop in the category's colours, a stylised product
drawn with shapes, and no words: the product's name is the photo's alt text, so a
thumbnail never shows a cropped or untranslated name. Every product looks its own:
the ``seed`` (one per product, one per enterprise) picks the backdrop's style and
tint, the label's pattern, where the product stands and how large, whether it faces
left or right, and a small shift of its colours; an enterprise's village scene varies
its sky, hills, house and fields the same way. Shapes are drawn at twice the size and
scaled down, which gives smooth (anti-aliased) edges. The bytes ``render_demo_photo``
returns go through ``images.process_upload`` like any upload. With ``images.py`` the
only module that imports Pillow.
"""

from __future__ import annotations

import colorsys
import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter, ImageOps

PALETTES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]] = {
    # backdrop top, backdrop bottom, accent
    "coffee": ((246, 233, 218), (214, 178, 142), (111, 68, 42)),
    "tea": ((232, 243, 222), (176, 208, 150), (62, 112, 58)),
    "rice": ((250, 244, 226), (226, 206, 160), (150, 108, 52)),
    "produce": ((236, 248, 228), (168, 214, 140), (58, 128, 52)),
    "seasoning": ((250, 248, 224), (214, 226, 128), (96, 136, 34)),
    "snacks": ((255, 239, 214), (246, 190, 120), (196, 98, 30)),
    "herbal": ((236, 244, 236), (170, 204, 176), (52, 102, 78)),
    "textile": ((226, 234, 248), (140, 164, 212), (34, 58, 122)),
    "handicraft": ((248, 238, 224), (208, 176, 136), (130, 86, 46)),
    "beauty": ((250, 236, 242), (222, 178, 200), (150, 70, 110)),
    "village": ((214, 234, 250), (250, 226, 186), (70, 120, 70)),
}

# What a bottle holds, by the palette's accent colour: lime juice, herbal tonic, oil.
_LIQUIDS = {PALETTES["herbal"][2]: (190, 130, 60), PALETTES["beauty"][2]: (240, 210, 150),
            PALETTES["snacks"][2]: (226, 150, 30)}

# What a jar holds, by the palette's accent colour, unless the caller gives a tint.
_JAR_CONTENTS = {PALETTES["seasoning"][2]: (228, 234, 176), PALETTES["herbal"][2]: (232, 196, 96),
                 PALETTES["snacks"][2]: (170, 84, 70)}

# Coffee pouches: dark brown, black, kraft paper, forest green, maroon.
_BAG_COLOURS = ((58, 40, 30), (36, 34, 34), (176, 136, 92), (40, 72, 52), (96, 34, 40))

MOTIFS = (
    "coffee_bag", "coffee_beans", "tea", "rice_bag", "grain", "vegetables", "lime", "bottle", "jar",
    "sugar", "dried_fruit", "herbs", "soap", "cloth", "basket", "ceramic", "honey", "village",
)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _shade(color: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    """factor < 1 darkens, > 1 lightens towards white."""
    if factor <= 1:
        return tuple(round(c * factor) for c in color)  # type: ignore[return-value]
    return _mix(color, (255, 255, 255), min(1.0, factor - 1))


def _backdrop(size: tuple[int, int], top, bottom, rng: random.Random) -> Image.Image:
    """Vertical gradient with a soft light spot behind the product.

    Made at a sixteenth of the area and scaled up: it has no edges, so nothing is lost.
    """
    width, height = size
    small = (max(8, width // 4), max(6, height // 4))
    mask = Image.linear_gradient("L").resize(small, Image.Resampling.BILINEAR)
    image = Image.composite(Image.new("RGB", small, bottom), Image.new("RGB", small, top), mask)
    glow = Image.radial_gradient("L").resize((int(small[0] * 1.1), int(small[1] * 1.3)), Image.Resampling.BILINEAR)
    glow = ImageOps.invert(glow).point(lambda v: int(v * 0.55))
    offset = (int(small[0] * (-0.05 + rng.uniform(-0.04, 0.04))), int(small[1] * -0.28))
    image.paste((255, 255, 255), (offset[0], offset[1], offset[0] + glow.width, offset[1] + glow.height), glow)
    return image.resize(size, Image.Resampling.BILINEAR)


def _shadow(canvas: Image.Image, box: tuple[float, float, float, float], strength: int = 90) -> None:
    """A blurred elliptical contact shadow under the product (blurred at low resolution)."""
    left, top, right, bottom = (int(v) for v in box)
    pad = max(8, (bottom - top))
    region = (max(0, left - pad), max(0, top - pad), min(canvas.width, right + pad), min(canvas.height, bottom + pad))
    w, h = region[2] - region[0], region[3] - region[1]
    factor = 4
    small = Image.new("L", (max(1, w // factor), max(1, h // factor)), 0)
    ImageDraw.Draw(small).ellipse(((left - region[0]) / factor, (top - region[1]) / factor,
                                   (right - region[0]) / factor, (bottom - region[1]) / factor), fill=strength)
    small = small.filter(ImageFilter.GaussianBlur(radius=max(1, (bottom - top) / factor / 2)))
    mask = small.resize((w, h), Image.Resampling.BILINEAR)
    canvas.paste((40, 30, 20), region, mask)


_LABEL_PATTERNS = ("stripes", "dots", "zigzag", "band", "diamonds", "sun", "leaf")


def _pattern_of(key: str) -> str:
    """A label pattern chosen by a stable hash of ``key`` (not Python's salted ``hash``)."""
    return _LABEL_PATTERNS[sum(ord(c) * (i + 1) for i, c in enumerate(key or "plain")) % len(_LABEL_PATTERNS)]


def _label(draw: ImageDraw.ImageDraw, box, fill, ink, design: str, scale: float) -> None:
    """A pack label: a coloured panel with a printed pattern (``design`` picks it), no words."""
    draw.rounded_rectangle(box, radius=int(14 * scale), fill=fill)
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    line = max(2, int(5 * scale))
    pattern = _pattern_of(design)
    if pattern == "stripes":
        for k in range(1, 4):
            y = top + h * k / 4
            draw.line([(left + w * 0.1, y), (right - w * 0.1, y)], fill=ink, width=line)
    elif pattern == "dots":
        for row in range(2):
            for col in range(5):
                x, y = left + w * (0.14 + col * 0.18), top + h * (0.32 + row * 0.36)
                draw.ellipse((x - w * 0.035, y - w * 0.035, x + w * 0.035, y + w * 0.035), fill=ink)
    elif pattern == "zigzag":
        points = [(left + w * (0.08 + k * 0.084), top + h * (0.3 if k % 2 else 0.7)) for k in range(11)]
        draw.line(points, fill=ink, width=line, joint="curve")
    elif pattern == "band":
        draw.rectangle((left, top + h * 0.38, right, top + h * 0.62), fill=ink)
    elif pattern == "diamonds":
        for col in range(4):
            x, y = left + w * (0.2 + col * 0.2), top + h / 2
            draw.polygon([(x, y - h * 0.3), (x + w * 0.07, y), (x, y + h * 0.3), (x - w * 0.07, y)], fill=ink)
    elif pattern == "sun":
        x, y, r = left + w / 2, top + h / 2, min(w, h) * 0.28
        draw.ellipse((x - r, y - r, x + r, y + r), fill=ink)
        for k in range(8):
            t = 2 * math.pi * k / 8
            draw.line([(x + r * 1.25 * math.cos(t), y + r * 1.25 * math.sin(t)),
                       (x + r * 1.6 * math.cos(t), y + r * 1.6 * math.sin(t))], fill=ink, width=line)
    else:  # leaf
        _draw_leaf(draw, left + w * 0.25, top + h * 0.62, w * 0.5, -0.35, ink, scale)


def _bean(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, angle: float, color) -> None:
    points = []
    for i in range(24):
        t = 2 * math.pi * i / 24
        x, y = r * 0.72 * math.cos(t), r * math.sin(t)
        points.append((cx + x * math.cos(angle) - y * math.sin(angle), cy + x * math.sin(angle) + y * math.cos(angle)))
    draw.polygon(points, fill=color)
    # the crease down the middle
    crease = [(cx + (r * 0.12 * math.sin(k / 4)) * math.cos(angle) - (r * (k / 6 - 1) * 0.85) * math.sin(angle),
               cy + (r * 0.12 * math.sin(k / 4)) * math.sin(angle) + (r * (k / 6 - 1) * 0.85) * math.cos(angle))
              for k in range(13)]
    draw.line(crease, fill=_shade(color, 0.55), width=max(2, int(r * 0.14)))


def _draw_bag(draw, cx, base, w, h, color, accent, label_text, scale, window=None) -> None:
    """A stand-up pouch: body, folded top with a seam, front label (and a window)."""
    left, right, top = cx - w / 2, cx + w / 2, base - h
    draw.rounded_rectangle((left, top + h * 0.08, right, base), radius=int(w * 0.08), fill=color)
    draw.polygon([(left + w * 0.04, top + h * 0.1), (right - w * 0.04, top + h * 0.1),
                  (right - w * 0.07, top), (left + w * 0.07, top)], fill=_shade(color, 0.85))
    draw.line([(left + w * 0.06, top + h * 0.1), (right - w * 0.06, top + h * 0.1)], fill=_shade(color, 0.7),
              width=int(6 * scale))
    draw.rectangle((left + w * 0.05, top + h * 0.1, left + w * 0.16, base - h * 0.04), fill=_shade(color, 1.12))
    if window:
        draw.rounded_rectangle((cx - w * 0.26, top + h * 0.56, cx + w * 0.26, base - h * 0.08),
                               radius=int(w * 0.06), fill=window)
    _label(draw, (cx - w * 0.32, top + h * 0.24, cx + w * 0.32, top + h * 0.48), accent, (255, 255, 255),
           label_text, scale)


def _draw_bottle(draw, cx, base, w, h, glass, liquid, cap, label_fill, label_text, scale) -> None:
    neck_w = w * 0.34
    shoulder = base - h * 0.62
    draw.rounded_rectangle((cx - w / 2, shoulder, cx + w / 2, base), radius=int(w * 0.16), fill=glass)
    draw.polygon([(cx - w / 2 + w * 0.04, shoulder + w * 0.1), (cx - neck_w / 2, base - h * 0.84),
                  (cx + neck_w / 2, base - h * 0.84), (cx + w / 2 - w * 0.04, shoulder + w * 0.1)], fill=glass)
    draw.rectangle((cx - neck_w / 2, base - h * 0.93, cx + neck_w / 2, base - h * 0.83), fill=glass)
    draw.rounded_rectangle((cx - w / 2 + w * 0.06, shoulder + h * 0.06, cx + w / 2 - w * 0.06, base - w * 0.06),
                           radius=int(w * 0.12), fill=liquid)
    draw.rounded_rectangle((cx - neck_w / 2 - 4 * scale, base - h, cx + neck_w / 2 + 4 * scale, base - h * 0.92),
                           radius=int(6 * scale), fill=cap)
    draw.rounded_rectangle((cx - w / 2 + w * 0.12, shoulder + h * 0.05, cx - w / 2 + w * 0.2, base - h * 0.08),
                           radius=int(w * 0.04), fill=_shade(liquid, 1.35))
    _label(draw, (cx - w / 2 + w * 0.04, shoulder + h * 0.16, cx + w / 2 - w * 0.04, shoulder + h * 0.38),
           label_fill, (255, 255, 255), label_text, scale)


def _draw_jar(draw, cx, base, w, h, content, lid, label_fill, label_text, scale) -> None:
    draw.rounded_rectangle((cx - w / 2, base - h * 0.86, cx + w / 2, base), radius=int(w * 0.14),
                           fill=(236, 240, 240))
    draw.rounded_rectangle((cx - w / 2 + w * 0.05, base - h * 0.8, cx + w / 2 - w * 0.05, base - w * 0.05),
                           radius=int(w * 0.11), fill=content)
    draw.rounded_rectangle((cx - w * 0.46, base - h, cx + w * 0.46, base - h * 0.84), radius=int(10 * scale), fill=lid)
    for k in range(1, 6):
        x = cx - w * 0.46 + k * w * 0.92 / 6
        draw.line([(x, base - h * 0.98), (x, base - h * 0.86)], fill=_shade(lid, 0.8), width=int(3 * scale))
    draw.rounded_rectangle((cx - w / 2 + w * 0.1, base - h * 0.76, cx - w / 2 + w * 0.17, base - h * 0.12),
                           radius=int(w * 0.03), fill=(255, 255, 255))
    _label(draw, (cx - w * 0.4, base - h * 0.58, cx + w * 0.4, base - h * 0.3), label_fill, (255, 255, 255),
           label_text, scale)


def _draw_lime(draw, cx, cy, r, scale, halved=False) -> None:
    green, light = (92, 168, 54), (196, 226, 120)
    draw.ellipse((cx - r, cy - r * 0.9, cx + r, cy + r * 0.9), fill=green)
    draw.ellipse((cx - r * 0.6, cy - r * 0.7, cx - r * 0.1, cy - r * 0.35), fill=_shade(green, 1.3))
    if halved:
        draw.ellipse((cx - r * 0.86, cy - r * 0.78, cx + r * 0.86, cy + r * 0.78), fill=(238, 246, 196))
        draw.ellipse((cx - r * 0.74, cy - r * 0.66, cx + r * 0.74, cy + r * 0.66), fill=light)
        for k in range(8):
            t = 2 * math.pi * k / 8
            draw.line([(cx, cy), (cx + r * 0.74 * math.cos(t), cy + r * 0.66 * math.sin(t))],
                      fill=(238, 246, 196), width=int(5 * scale))
        draw.ellipse((cx - r * 0.1, cy - r * 0.1, cx + r * 0.1, cy + r * 0.1), fill=(238, 246, 196))


def _draw_leaf(draw, x, y, length, angle, color, scale) -> None:
    points = []
    for i in range(21):
        t = i / 20
        along = t * length
        across = math.sin(math.pi * t) * length * 0.22
        points.append((along, across))
    for i in range(20, -1, -1):
        t = i / 20
        points.append((t * length, -math.sin(math.pi * t) * length * 0.22))
    rotated = [(x + px * math.cos(angle) - py * math.sin(angle), y + px * math.sin(angle) + py * math.cos(angle))
               for px, py in points]
    draw.polygon(rotated, fill=color)
    draw.line([(x, y), (x + length * 0.9 * math.cos(angle), y + length * 0.9 * math.sin(angle))],
              fill=_shade(color, 0.7), width=max(2, int(3 * scale)))


def _chip(draw: ImageDraw.ImageDraw, canvas: Image.Image, design: str, accent) -> None:
    """A small round seal in the top-left corner, for products without a pack label."""
    if not design:
        return
    scale = canvas.width / 1200
    x, y, r = canvas.width * 0.08, canvas.height * 0.1, 34 * scale
    draw.ellipse((x - r, y - r, x + r, y + r), fill=accent)
    _label(draw, (x - r * 0.7, y - r * 0.5, x + r * 0.7, y + r * 0.5), accent, (255, 255, 255), design, scale * 0.6)


def _draw_motif(canvas: Image.Image, motif: str, palette, badge: str, rng: random.Random, zoom: float = 1.25,
                tint: tuple[int, int, int] | None = None) -> None:
    # Sizes are fractions of a "virtual" canvas ``zoom`` times larger than the real one,
    # so the product fills more of the frame; positions stay centred on the real one.
    zoom = 1.0 if motif == "village" else zoom
    width, height = canvas.width * zoom, canvas.height * zoom
    scale = width / 1200
    draw = ImageDraw.Draw(canvas)
    top, bottom, accent = palette
    cx, base = canvas.width * 0.5, canvas.height * 0.68
    shadow_box = (cx - width * 0.2, base - height * 0.03, cx + width * 0.2, base + height * 0.035)

    if motif == "coffee_bag":
        _shadow(canvas, shadow_box)
        _draw_bag(draw, cx - width * 0.04, base, width * 0.28, height * 0.5, rng.choice(_BAG_COLOURS), accent, badge, scale)
        for _ in range(18):
            _bean(draw, cx + width * rng.uniform(0.1, 0.24), base + height * rng.uniform(-0.02, 0.03),
                  width * 0.018, rng.uniform(0, math.pi), (92, 54, 30))
    elif motif == "coffee_beans":
        _shadow(canvas, (cx - width * 0.2, base - height * 0.04, cx + width * 0.2, base + height * 0.04))
        draw.ellipse((cx - width * 0.2, base - height * 0.14, cx + width * 0.2, base + height * 0.02),
                     fill=(236, 228, 214))
        draw.ellipse((cx - width * 0.18, base - height * 0.12, cx + width * 0.18, base), fill=(214, 200, 180))
        for _ in range(70):
            a, d = rng.uniform(0, 2 * math.pi), rng.uniform(0, 1) ** 0.5
            _bean(draw, cx + math.cos(a) * d * width * 0.15, base - height * 0.08 + math.sin(a) * d * height * 0.1
                  - height * 0.04 * (1 - d), width * 0.022, rng.uniform(0, math.pi),
                  _shade((110, 64, 36), rng.uniform(0.8, 1.1)))
        _chip(draw, canvas, badge, accent)
    elif motif == "tea":
        _shadow(canvas, shadow_box)
        pack = tint or accent
        draw.rounded_rectangle((cx - width * 0.22, base - height * 0.3, cx - width * 0.02, base),
                               radius=int(18 * scale), fill=pack)
        _label(draw, (cx - width * 0.2, base - height * 0.2, cx - width * 0.04, base - height * 0.1),
               _shade(pack, 1.5), pack, badge, scale)
        # a cup
        draw.pieslice((cx + width * 0.02, base - height * 0.2, cx + width * 0.24, base + height * 0.02), 0, 180,
                      fill=(250, 250, 246))
        draw.rectangle((cx + width * 0.02, base - height * 0.1, cx + width * 0.24, base - height * 0.09),
                       fill=(250, 250, 246))
        draw.ellipse((cx + width * 0.03, base - height * 0.12, cx + width * 0.23, base - height * 0.07),
                     fill=(176, 132, 40))
        for k in range(4):
            _draw_leaf(draw, cx + width * (0.0 + 0.06 * k), base + height * 0.05, width * 0.07,
                       -0.4 - 0.3 * k, _shade((70, 130, 60), 0.9 + 0.07 * k), scale)
    elif motif in ("rice_bag", "grain"):
        _shadow(canvas, shadow_box)
        if motif == "rice_bag":
            _draw_bag(draw, cx, base, width * 0.3, height * 0.52, (250, 248, 240), accent, badge, scale,
                      window=(176, 112, 78))
            for _ in range(160):
                x = cx + rng.uniform(-width * 0.07, width * 0.07)
                y = base - height * rng.uniform(0.05, 0.13)
                draw.ellipse((x - 5 * scale, y - 2.5 * scale, x + 5 * scale, y + 2.5 * scale), fill=(214, 160, 120))
        else:
            draw.pieslice((cx - width * 0.2, base - height * 0.26, cx + width * 0.2, base + height * 0.02), 0, 180,
                          fill=accent)
            draw.ellipse((cx - width * 0.2, base - height * 0.16, cx + width * 0.2, base - height * 0.08),
                         fill=(120, 40, 60))
            for _ in range(260):
                a, d = rng.uniform(0, 2 * math.pi), rng.uniform(0, 1) ** 0.5
                x = cx + math.cos(a) * d * width * 0.18
                y = base - height * 0.12 + math.sin(a) * d * height * 0.035 - height * 0.06 * (1 - d)
                draw.ellipse((x - 6 * scale, y - 3 * scale, x + 6 * scale, y + 3 * scale),
                             fill=_shade((128, 36, 58), rng.uniform(0.8, 1.2)))
            _chip(draw, canvas, badge, accent)
    elif motif == "vegetables":
        _shadow(canvas, shadow_box)
        draw.pieslice((cx - width * 0.24, base - height * 0.24, cx + width * 0.24, base + height * 0.06), 0, 180,
                      fill=(176, 132, 84))
        for _ in range(9):
            _draw_leaf(draw, cx + width * rng.uniform(-0.16, 0.12), base - height * 0.08, width * rng.uniform(0.1, 0.16),
                       -math.pi / 2 + rng.uniform(-0.8, 0.8), _shade((70, 150, 60), rng.uniform(0.75, 1.15)), scale)
        for _ in range(4):
            x = cx + width * rng.uniform(-0.14, 0.14)
            draw.ellipse((x - width * 0.035, base - height * 0.12, x + width * 0.035, base - height * 0.04),
                         fill=(214, 50, 40))
        draw.rectangle((cx - width * 0.24, base - height * 0.09, cx + width * 0.24, base - height * 0.07),
                       fill=(150, 108, 64))
    elif motif == "lime":
        _shadow(canvas, shadow_box)
        for k, (dx, dy, r, half) in enumerate(((-0.12, -0.06, 0.1, False), (0.06, -0.05, 0.11, True),
                                               (-0.02, 0.01, 0.09, False), (0.17, 0.01, 0.08, True))):
            _draw_lime(draw, cx + width * dx, base + height * dy, width * r, scale, halved=half)
            if k == 0:
                _draw_leaf(draw, cx - width * 0.2, base - height * 0.16, width * 0.12, -0.5, (60, 130, 50), scale)
        _chip(draw, canvas, badge, accent)
    elif motif == "bottle":
        _shadow(canvas, shadow_box)
        liquid = tint or _LIQUIDS.get(accent, (212, 226, 120))
        _draw_bottle(draw, cx - width * 0.05, base, width * 0.15, height * 0.5, (226, 238, 236), liquid,
                     _shade(accent, 0.8), accent, badge, scale)
        if tint is None:  # lime juice gets a lime beside it; other bottles a sprig of leaves
            _draw_lime(draw, cx + width * 0.14, base - height * 0.05, width * 0.075, scale, halved=True)
        else:
            for k in range(3):
                _draw_leaf(draw, cx + width * 0.08, base - height * 0.01, width * 0.09, -0.5 - 0.45 * k,
                           _shade((80, 140, 70), 0.9 + 0.08 * k), scale)
    elif motif in ("jar", "honey", "sugar"):
        _shadow(canvas, shadow_box)
        content = tint or {"jar": _JAR_CONTENTS.get(accent, (132, 74, 60)), "honey": (226, 150, 30),
                           "sugar": (196, 132, 60)}[motif]
        _draw_jar(draw, cx - width * 0.06, base, width * 0.22, height * 0.44, content, _shade(accent, 0.9), accent,
                  badge, scale)
        if motif == "sugar":
            for k in range(3):
                x = cx + width * (0.13 + 0.02 * k)
                y = base - height * (0.03 + 0.05 * k)
                draw.ellipse((x - width * 0.06, y - height * 0.035, x + width * 0.06, y + height * 0.035),
                             fill=_shade((206, 150, 76), 1 - 0.06 * k))
                draw.ellipse((x - width * 0.045, y - height * 0.024, x + width * 0.045, y + height * 0.012),
                             fill=_shade((226, 176, 100), 1 - 0.06 * k))
        elif motif == "honey":
            draw.line([(cx + width * 0.12, base - height * 0.3), (cx + width * 0.2, base - height * 0.02)],
                      fill=(120, 80, 40), width=int(10 * scale))
            for k in range(4):
                y = base - height * (0.26 - 0.025 * k)
                draw.ellipse((cx + width * 0.105, y, cx + width * 0.155, y + height * 0.02), fill=(150, 100, 50))
        else:
            for _ in range(3):
                _draw_leaf(draw, cx + width * 0.12, base - height * 0.02, width * 0.1, rng.uniform(-2.4, -1.2),
                           (80, 140, 60), scale)
    elif motif == "dried_fruit":
        _shadow(canvas, shadow_box)
        draw.ellipse((cx - width * 0.26, base - height * 0.14, cx + width * 0.26, base + height * 0.04),
                     fill=(246, 240, 226))
        colours = [tint, _shade(tint, 0.85), _shade(tint, 1.15)] if tint else [(236, 160, 40), (250, 190, 60),
                                                                            (196, 80, 60)]
        for _ in range(22):
            x = cx + width * rng.uniform(-0.18, 0.18)
            y = base - height * rng.uniform(0.02, 0.1)
            r = width * rng.uniform(0.03, 0.045)
            draw.ellipse((x - r, y - r * 0.55, x + r, y + r * 0.55),
                         fill=_shade(rng.choice(colours), rng.uniform(0.85, 1)))
        _chip(draw, canvas, badge, accent)
    elif motif == "herbs":
        _shadow(canvas, shadow_box)
        _draw_bottle(draw, cx - width * 0.1, base, width * 0.13, height * 0.42, (120, 80, 50), (150, 100, 60),
                     (40, 40, 40), accent, badge, scale)
        for k in range(7):
            _draw_leaf(draw, cx + width * 0.06, base - height * 0.01, width * rng.uniform(0.1, 0.15),
                       -math.pi / 2 + (k - 3) * 0.28, _shade((70, 130, 70), rng.uniform(0.8, 1.1)), scale)
        draw.ellipse((cx + width * 0.1, base - height * 0.05, cx + width * 0.2, base + height * 0.01),
                     fill=(230, 180, 40))
    elif motif == "soap":
        _shadow(canvas, shadow_box)
        for k, color in enumerate(((250, 246, 236), _shade(accent, 1.6), (236, 220, 196))):
            x = cx + width * (-0.16 + 0.15 * k)
            y = base - height * (0.02 + 0.03 * (k % 2))
            draw.rounded_rectangle((x - width * 0.08, y - height * 0.1, x + width * 0.08, y),
                                   radius=int(30 * scale), fill=color)
            draw.rounded_rectangle((x - width * 0.05, y - height * 0.075, x + width * 0.05, y - height * 0.025),
                                   radius=int(18 * scale), outline=_shade(color, 0.88), width=int(5 * scale))
        _draw_leaf(draw, cx + width * 0.12, base - height * 0.2, width * 0.1, -0.3, (90, 150, 80), scale)
        _chip(draw, canvas, badge, accent)
    elif motif == "cloth":
        _shadow(canvas, shadow_box)
        cloth = tint or accent
        stripes = rng.choice((9, 7, 12))
        for k in range(3):
            y = base - height * (0.07 + 0.085 * k)
            color = _shade(cloth, 1 + 0.18 * k)
            draw.rounded_rectangle((cx - width * 0.22, y - height * 0.08, cx + width * 0.22, y),
                                   radius=int(16 * scale), fill=color)
            for s in range(stripes):
                x = cx - width * 0.2 + s * width * 0.44 / stripes
                draw.line([(x, y - height * 0.075), (x + width * 0.02, y - height * 0.005)],
                          fill=_shade(color, 1.35), width=int(4 * scale))
            for s in range(4):
                x = cx - width * 0.18 + s * width * 0.12
                draw.regular_polygon((x, y - height * 0.04, 12 * scale), 4, fill=(246, 240, 226))
    elif motif == "basket":
        _shadow(canvas, shadow_box)
        left, right = cx - width * 0.2, cx + width * 0.2
        draw.polygon([(left, base - height * 0.28), (right, base - height * 0.28),
                      (right - width * 0.04, base), (left + width * 0.04, base)], fill=(196, 150, 90))
        for row in range(7):
            y = base - height * 0.28 + row * height * 0.04
            draw.line([(left + row * width * 0.006, y), (right - row * width * 0.006, y)], fill=(150, 108, 60),
                      width=int(5 * scale))
        for col in range(12):
            x = left + width * 0.02 + col * width * 0.032
            draw.line([(x, base - height * 0.28), (x + (cx - x) * 0.1, base)], fill=(170, 124, 70),
                      width=int(4 * scale))
        draw.arc((left + width * 0.04, base - height * 0.46, right - width * 0.04, base - height * 0.1), 180, 360,
                 fill=(150, 108, 60), width=int(14 * scale))
        draw.ellipse((left - width * 0.005, base - height * 0.3, right + width * 0.005, base - height * 0.26),
                     fill=(176, 130, 74))
    elif motif == "ceramic":
        _shadow(canvas, shadow_box)
        # A rooster bowl seen from the side: white porcelain, a band at the foot, the
        # black rooster with its orange-and-green tail, and banana leaves around it.
        bottom_y = base + height * 0.01
        top_y = bottom_y - height * 0.3  # the rim: the middle of the ellipse the chord is cut from
        left, right = cx - width * 0.22, cx + width * 0.22
        draw.chord((left, top_y - height * 0.3, right, bottom_y), 0, 180, fill=(250, 249, 244))
        draw.ellipse((left, top_y - height * 0.035, right, top_y + height * 0.035), fill=(232, 228, 218))
        draw.ellipse((left + width * 0.01, top_y - height * 0.028, right - width * 0.01, top_y + height * 0.028),
                     fill=(244, 240, 232))
        draw.rounded_rectangle((cx - width * 0.09, bottom_y - height * 0.02, cx + width * 0.09, bottom_y + height * 0.01),
                               radius=int(6 * scale), fill=(226, 222, 212))
        draw.arc((left + width * 0.05, top_y - height * 0.12, right - width * 0.05, bottom_y - height * 0.03), 30, 150,
                 fill=(60, 110, 170), width=int(6 * scale))
        hx, hy = cx, base - height * 0.12
        for k, colour in enumerate(((230, 120, 40), (60, 130, 70), (230, 160, 50))):
            draw.pieslice((hx - width * (0.12 - 0.01 * k), hy - height * (0.13 - 0.015 * k),
                           hx - width * (0.02 + 0.01 * k), hy + height * 0.03), 150, 300, fill=colour)
        draw.ellipse((hx - width * 0.07, hy - height * 0.06, hx + width * 0.06, hy + height * 0.05), fill=(38, 36, 34))
        draw.ellipse((hx + width * 0.035, hy - height * 0.12, hx + width * 0.085, hy - height * 0.04), fill=(38, 36, 34))
        draw.polygon([(hx + width * 0.045, hy - height * 0.12), (hx + width * 0.055, hy - height * 0.15),
                      (hx + width * 0.065, hy - height * 0.125), (hx + width * 0.078, hy - height * 0.145),
                      (hx + width * 0.08, hy - height * 0.115)], fill=(210, 40, 40))
        draw.polygon([(hx + width * 0.083, hy - height * 0.09), (hx + width * 0.105, hy - height * 0.08),
                      (hx + width * 0.083, hy - height * 0.07)], fill=(240, 180, 40))
        draw.ellipse((hx + width * 0.07, hy - height * 0.055, hx + width * 0.085, hy - height * 0.03), fill=(210, 40, 40))
        for dx in (-0.02, 0.02):
            draw.line([(hx + width * dx, hy + height * 0.045), (hx + width * dx, hy + height * 0.09)],
                      fill=(230, 150, 40), width=int(5 * scale))
        for side in (-1, 1):
            for k in range(2):
                _draw_leaf(draw, cx + side * width * (0.15 + 0.04 * k), base - height * 0.05, width * 0.06,
                           -math.pi / 2 - side * (0.5 + 0.35 * k), (60, 125, 60), scale)
    elif motif == "village":
        # Hills, a foreground and the village's houses. The seed moves the ridges, the
        # sun, the houses (one to three, roofs in the enterprise's colour) and picks
        # the foreground: terraced paddies, an orchard, a shade garden or a stream.
        ridges = rng.randint(2, 3)
        for k in range(ridges):
            level = 0.36 + 0.08 * k
            points = [(0, height * (level + rng.uniform(0.05, 0.15)))]
            for step in range(1, 5):
                points.append((width * step / 4 - width * rng.uniform(0, 0.1), height * (level + rng.uniform(-0.06, 0.1))))
            points += [(width, height * (level + rng.uniform(0, 0.12))), (width, height), (0, height)]
            draw.polygon(points, fill=_shade(_mix((96, 140, 104), (150, 176, 150), 1 - k / ridges), rng.uniform(0.85, 1.05)))
        ground_top = height * rng.uniform(0.6, 0.7)
        draw.polygon([(0, ground_top + height * 0.05), (width * rng.uniform(0.3, 0.7), ground_top), (width, ground_top + height * 0.03),
                      (width, height), (0, height)], fill=_shade((150, 190, 100), rng.uniform(0.9, 1.05)))
        sun_x, sun_y = rng.uniform(0.08, 0.86), rng.uniform(0.08, 0.2)
        draw.ellipse((width * sun_x, height * sun_y, width * (sun_x + 0.1), height * (sun_y + 0.13)), fill=(255, 214, 120))
        for _ in range(rng.randint(0, 3)):  # clouds
            x, y = width * rng.uniform(0, 0.9), height * rng.uniform(0.05, 0.25)
            for dx in (0, 0.04, 0.08):
                draw.ellipse((x + width * dx, y, x + width * (dx + 0.07), y + height * 0.06), fill=(250, 250, 252))
        ground = rng.choice(("paddies", "orchard", "garden", "stream"))
        if ground == "paddies":
            for row in range(7):
                y = ground_top + height * (0.06 + row * 0.045)
                draw.line([(0, y + height * 0.02), (width, y - height * 0.03)], fill=(118, 170, 80), width=int(6 * scale))
        elif ground == "stream":
            draw.polygon([(0, height * 0.9), (width * 0.4, ground_top + height * 0.12), (width * 0.55, ground_top + height * 0.12),
                          (width * 0.3, height), (0, height)], fill=(120, 176, 214))
        else:
            crown = (70, 130, 66) if ground == "orchard" else (48, 104, 60)
            for _k in range(rng.randint(5, 8)):
                tx, ty = width * rng.uniform(0.02, 0.98), ground_top + height * rng.uniform(0.08, 0.3)
                r = width * (0.045 if ground == "orchard" else 0.03)
                draw.ellipse((tx - r, ty - r, tx + r, ty + r * 0.8), fill=_shade(crown, rng.uniform(0.85, 1.15)))
                for _ in range(4 if ground == "orchard" else 3):
                    fx, fy = tx + rng.uniform(-r * 0.6, r * 0.6), ty + rng.uniform(-r * 0.5, r * 0.4)
                    fruit = (190, 220, 90) if ground == "orchard" else (196, 40, 40)
                    draw.ellipse((fx - r * 0.12, fy - r * 0.12, fx + r * 0.12, fy + r * 0.12), fill=fruit)
        roof = _shade(accent, rng.uniform(0.7, 1.0))
        for house in range(rng.randint(1, 3)):
            size = rng.uniform(0.75, 1.1) * (1 - 0.2 * house)
            hx, hy = width * rng.uniform(0.15, 0.85), ground_top + height * (0.08 - 0.03 * house)
            wall = _shade((150, 100, 60), rng.uniform(0.85, 1.15))
            draw.rectangle((hx - width * 0.09 * size, hy - height * 0.12 * size, hx + width * 0.09 * size, hy - height * 0.03 * size),
                           fill=wall)
            draw.polygon([(hx - width * 0.125 * size, hy - height * 0.11 * size), (hx, hy - height * 0.25 * size),
                          (hx + width * 0.125 * size, hy - height * 0.11 * size)], fill=roof)
            for k in range(5):
                x = hx - width * 0.08 * size + k * width * 0.04 * size
                draw.rectangle((x - 4 * scale, hy - height * 0.03 * size, x + 4 * scale, hy + height * 0.02 * size),
                               fill=(110, 70, 40))
            draw.rectangle((hx - width * 0.025 * size, hy - height * 0.1 * size, hx + width * 0.01 * size,
                            hy - height * 0.03 * size), fill=_shade(wall, 0.6))
        for _k in range(rng.randint(1, 4)):
            tx, ty = width * rng.uniform(0.05, 0.95), ground_top - height * rng.uniform(-0.02, 0.04)
            draw.rectangle((tx - 5 * scale, ty - height * 0.1, tx + 5 * scale, ty + height * 0.02), fill=(100, 70, 40))
            draw.ellipse((tx - width * 0.05, ty - height * 0.2, tx + width * 0.05, ty - height * 0.06),
                         fill=_shade((60, 120, 60), rng.uniform(0.85, 1.1)))
    else:
        raise ValueError(f"unknown demo motif {motif!r}")


def _rotate_hue(color: tuple[int, int, int], degrees: float) -> tuple[int, int, int]:
    hue, light, sat = colorsys.rgb_to_hls(*(c / 255 for c in color))
    r, g, b = colorsys.hls_to_rgb((hue + degrees / 360) % 1.0, light, sat)
    return (round(r * 255), round(g * 255), round(b * 255))


def _decorate(canvas: Image.Image, style: str, accent, rng: random.Random) -> None:
    """What lies around the product: a table top, soft lights, linen or leaf shadows."""
    draw = ImageDraw.Draw(canvas)
    width, height = canvas.size
    if style == "table":
        top = height * rng.uniform(0.6, 0.7)
        draw.rectangle((0, top, width, height), fill=_shade(_mix(accent, (230, 220, 200), 0.7), 0.92))
        for k in range(5):
            y = top + (height - top) * (k + 1) / 6
            draw.line([(0, y), (width, y + height * rng.uniform(-0.01, 0.01))],
                      fill=_shade(_mix(accent, (230, 220, 200), 0.7), 0.86), width=max(1, width // 600))
    elif style == "lights":
        for _ in range(9):
            x, y, r = rng.uniform(0, width), rng.uniform(0, height * 0.55), rng.uniform(0.03, 0.08) * width
            overlay = Image.new("L", canvas.size, 0)
            ImageDraw.Draw(overlay).ellipse((x - r, y - r, x + r, y + r), fill=int(rng.uniform(40, 80)))
            canvas.paste((255, 255, 255), (0, 0), overlay)
    elif style == "linen":
        step = max(4, width // 90)
        tone = _shade(_mix(accent, (240, 236, 226), 0.8), 0.96)
        for x in range(0, width, step):
            draw.line([(x, 0), (x, height)], fill=tone, width=1)
    elif style == "leaves":
        for corner_x, corner_y in ((0, 0), (width, height * 0.1)):
            for k in range(4):
                _draw_leaf(draw, corner_x, corner_y + k * height * 0.06, width * rng.uniform(0.18, 0.26),
                           (0.5 if corner_x == 0 else math.pi - 0.5) + rng.uniform(-0.5, 0.5),
                           _shade(_mix(accent, (120, 170, 110), 0.6), rng.uniform(1.2, 1.5)), width / 2400)


_STYLES = ("plain", "table", "lights", "linen", "leaves")


def render_demo_photo(*, motif: str, palette: str, badge: str = "", seed: int = 0, width: int = 1200,
                      image_format: str = "JPEG", tint: tuple[int, int, int] | None = None) -> bytes:
    """A product (or village) "photo" for the demo catalogue, as JPEG (or PNG) bytes.

    No words are drawn: ``badge`` (a short code for what the pack holds) picks the
    pattern printed on the pack's label together with ``seed``, which also picks the
    backdrop, the product's place, size, facing and colour shift, so that no two
    products look alike. ``tint`` is the colour of what a jar or bottle holds. The
    result is meant to go through ``process_upload`` like any upload.
    """
    if motif not in MOTIFS:
        raise ValueError(f"unknown demo motif {motif!r}")
    rng = random.Random(seed)
    top, bottom, accent = PALETTES.get(palette, PALETTES["village"])
    height = width * 3 // 4
    big = (width * 2, height * 2)
    shift = rng.uniform(-26, 26)
    if motif == "village":
        # A scene fills the frame: only the light changes (dawn, noon, evening).
        sky = rng.choice((((214, 234, 250), (250, 226, 186)), ((190, 222, 250), (236, 246, 250)),
                          ((250, 214, 186), (252, 236, 200))))
        canvas = _backdrop(big, sky[0], sky[1], rng)
        _draw_motif(canvas, motif, (top, bottom, accent), "", rng, tint=tint)
        if rng.random() < 0.5:
            canvas = ImageOps.mirror(canvas)
    else:
        top, bottom = _rotate_hue(top, shift * 0.6), _rotate_hue(bottom, shift * 0.6)
        accent = _rotate_hue(accent, shift)
        canvas = _backdrop(big, top, bottom, rng)
        _decorate(canvas, _STYLES[rng.randrange(len(_STYLES))], accent, rng)
        layer = Image.new("RGBA", big, (0, 0, 0, 0))
        design = f"{badge}|{seed}" if badge else ""
        _draw_motif(layer, motif, (top, bottom, accent), design, rng, tint=_rotate_hue(tint, shift) if tint else None)
        if rng.random() < 0.5:
            layer = ImageOps.mirror(layer)
        zoom = rng.uniform(0.84, 1.06)
        resized = layer.resize((int(big[0] * zoom), int(big[1] * zoom)), Image.Resampling.BILINEAR)
        x = int((big[0] - resized.width) / 2 + big[0] * rng.uniform(-0.1, 0.1))
        y = int((big[1] - resized.height) / 2 + big[1] * rng.uniform(-0.01, 0.06))
        canvas.paste(resized, (x, y), resized)

    image = canvas.convert("RGB").reduce(2)
    buffer = io.BytesIO()
    if image_format.upper() == "PNG":
        image.save(buffer, format="PNG", optimize=False)
    else:
        image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()
