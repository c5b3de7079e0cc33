"""The upload pipeline in ``catalog.images``: what it accepts, what it refuses, and what
it writes (WebP at every size, upright, without metadata)."""

from __future__ import annotations

import io
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from shop import storage
from shop.catalog import demo_artwork
from shop.catalog.demo_artwork import render_demo_photo
from shop.catalog.images import ImageRejected, delete_image, process_upload
from shop.errors import ValidationFailed


@pytest.fixture(autouse=True)
def in_request(request):
    """Uploads arrive in requests; messages are translated for that request's language."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.test_request_context():
        yield


def make_image(fmt: str, size=(640, 480), color=(200, 120, 40), mode="RGB", **save_args) -> bytes:
    image = Image.new(mode, size, color)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save_args)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A few hundred bytes whose header claims ``width`` × ``height`` pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def open_size(app, folder: str, key: str, size: str) -> Image.Image:
    return Image.open(storage.path_for(storage.image_file_key(folder, key, size)))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats_are_stored_as_webp_at_every_size(app, fmt):
    stored = process_upload(make_image(fmt, size=(2000, 1000)), folder="products")

    assert (stored.width, stored.height) == (1200, 600)
    files = stored_files(app)
    assert len(files) == len(storage.IMAGE_SIZES)
    for size, longest in storage.IMAGE_SIZES.items():
        with open_size(app, "products", stored.image_key, size) as out:
            assert out.format == "WEBP"
            assert max(out.size) == longest
            assert out.size[0] == 2 * out.size[1]


def test_multi_picture_jpeg_from_a_phone_is_accepted(app):
    # Some phones save MPO: a JPEG with extra frames. Pillow opens it through its JPEG decoder.
    first, second = Image.new("RGB", (300, 200), "red"), Image.new("RGB", (300, 200), "blue")
    buffer = io.BytesIO()
    first.save(buffer, format="MPO", save_all=True, append_images=[second])

    stored = process_upload(buffer.getvalue(), folder="products")

    with open_size(app, "products", stored.image_key, "full") as out:
        assert out.size == (300, 200)
        red, _green, blue = out.convert("RGB").getpixel((150, 100))
        assert red > 200 and blue < 60  # the first frame


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "I;16", "CMYK"])
def test_unusual_colour_modes_become_rgb(app, mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    stored = process_upload(make_image(fmt, size=(50, 40), color=None, mode=mode), folder="products")
    with open_size(app, "products", stored.image_key, "thumb") as out:
        assert out.mode == "RGB" and out.size == (50, 40)


def test_small_images_are_never_upscaled(app):
    stored = process_upload(make_image("PNG", size=(100, 80)), folder="products")

    assert (stored.width, stored.height) == (100, 80)
    for size in storage.IMAGE_SIZES:
        with open_size(app, "products", stored.image_key, size) as out:
            assert out.size == (100, 80)


def test_pdf_renamed_as_jpeg_is_refused(app):
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

    with pytest.raises(ImageRejected) as caught:
        process_upload(pdf, folder="products")  # the filename ("slip.jpg") plays no part

    assert caught.value.reason == "unsupported"
    assert isinstance(caught.value, ValidationFailed)
    assert caught.value.status_code == 422
    message = str(caught.value.message)
    assert "JPEG" in message
    assert "รูปภาพ" in message  # Thai is the default language
    assert stored_files(app) == []


def test_gif_is_refused(app):
    with pytest.raises(ImageRejected) as caught:
        process_upload(make_image("GIF", size=(50, 50)), folder="products")
    assert caught.value.reason == "unsupported"


@pytest.mark.parametrize("data", [b"", b"\x00" * 10, b"not an image at all"])
def test_empty_or_garbage_is_refused(app, data):
    with pytest.raises(ImageRejected) as caught:
        process_upload(data, folder="products")
    assert caught.value.reason in {"empty", "unsupported"}


def test_decompression_bomb_is_refused_fast_from_the_header(app):
    data = bomb_png()
    assert len(data) < 2000

    started = time.perf_counter()
    with pytest.raises(ImageRejected) as caught:
        process_upload(data, folder="products")
    elapsed = time.perf_counter() - started

    assert caught.value.reason == "too_many_pixels"
    # Refused from the header (milliseconds); decoding would take minutes. The bound
    # leaves room for a busy CI machine.
    assert elapsed < 3.0
    assert stored_files(app) == []


def test_just_over_the_pixel_limit_is_refused(app_config):
    # Between one and two times the limit Pillow only warns; we refuse.
    from shop import create_app

    app = create_app({**app_config, "MAX_IMAGE_PIXELS": 10_000})
    with app.test_request_context():
        with pytest.raises(ImageRejected) as caught:
            process_upload(make_image("PNG", size=(120, 120)), folder="products")
        assert caught.value.reason == "too_many_pixels"
        assert process_upload(make_image("PNG", size=(100, 100)), folder="products").width == 100


def test_oversize_file_is_refused_before_decoding(app_config):
    from shop import create_app

    app = create_app({**app_config, "MAX_IMAGE_BYTES": 1024})
    with app.test_request_context("/?lang=en"):
        data = make_image("PNG", size=(400, 400), color=None) + b"\x00" * 2048
        with pytest.raises(ImageRejected) as caught:
            process_upload(data, folder="products")
        assert caught.value.reason == "too_large"
        assert "MB" in str(caught.value.message)
        assert stored_files(app) == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_image_is_refused(app, fmt):
    # Noise, so the compressed data is long enough to cut in the middle of the pixels.
    noisy = Image.effect_noise((400, 300), 60).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format=fmt)
    data = buffer.getvalue()

    with pytest.raises(ImageRejected) as caught:
        process_upload(data[: len(data) // 2], folder="products")

    assert caught.value.reason == "corrupt"
    assert stored_files(app) == []


def test_metadata_and_comments_are_stripped(app):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (18.0, 47.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (98.0, 59.0, 10.0)
    data = make_image("JPEG", exif=exif.tobytes(), comment=b"<script>alert(1)</script>")
    with Image.open(io.BytesIO(data)) as original:  # the input really carries both
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert b"<script" in original.info["comment"]

    stored = process_upload(data, folder="products")

    for size in storage.IMAGE_SIZES:
        raw = storage.path_for(storage.image_file_key("products", stored.image_key, size)).read_bytes()
        assert b"<script" not in raw
        assert b"PhoneMaker" not in raw
        for chunk in (b"EXIF", b"Exif", b"ICCP", b"XMP "):
            assert chunk not in raw
        with Image.open(io.BytesIO(raw)) as out:
            assert not out.getexif()
            assert "exif" not in out.info and "icc_profile" not in out.info and "comment" not in out.info


def test_icc_profile_is_dropped(app):
    fake_icc = b"\x00" * 128  # Pillow stores it as given; any ICC blob must not survive
    stored = process_upload(make_image("PNG", icc_profile=fake_icc), folder="products")
    with open_size(app, "products", stored.image_key, "full") as out:
        assert "icc_profile" not in out.info


def test_exif_orientation_is_applied(app):
    # 300 wide, 200 tall, left half red, right half blue, tagged "rotate 90° clockwise".
    image = Image.new("RGB", (300, 200), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 150, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), quality=95)

    stored = process_upload(buffer.getvalue(), folder="products")

    assert (stored.width, stored.height) == (200, 300)
    with open_size(app, "products", stored.image_key, "full") as out:
        out = out.convert("RGB")
        assert out.size == (200, 300)
        top, bottom = out.getpixel((100, 30)), out.getpixel((100, 270))
        assert top[0] > 200 and top[2] < 60  # the left (red) half is now on top
        assert bottom[2] > 200 and bottom[0] < 60


def test_transparency_is_flattened_onto_white(app):
    stored = process_upload(make_image("PNG", size=(60, 60), color=(255, 0, 0, 0), mode="RGBA"), folder="products")
    with open_size(app, "products", stored.image_key, "full") as out:
        assert out.mode == "RGB"
        assert all(channel > 245 for channel in out.getpixel((30, 30)))


def test_nothing_is_left_when_a_write_fails(app, monkeypatch):
    calls = {"n": 0}
    real_save = storage.save_bytes

    def failing_save(key, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        real_save(key, data)

    monkeypatch.setattr(storage, "save_bytes", failing_save)
    with pytest.raises(OSError):
        process_upload(make_image("JPEG"), folder="products")

    assert calls["n"] == 2
    assert stored_files(app) == []


def test_delete_image_removes_every_size(app):
    stored = process_upload(make_image("WEBP"), folder="enterprises")
    assert len(stored_files(app)) == len(storage.IMAGE_SIZES)

    delete_image("enterprises", stored.image_key)

    assert stored_files(app) == []
    delete_image("enterprises", stored.image_key)  # deleting again is harmless


def test_demo_photo_goes_through_the_pipeline(app):
    data = render_demo_photo(motif="coffee_bag", palette="coffee", badge="COFFEE", seed=3)
    with Image.open(io.BytesIO(data)) as photo:
        assert photo.format == "JPEG"
        assert photo.size == (1200, 900)
        # Not a blank canvas: a drawn product on a backdrop gives many distinct colours.
        assert len(photo.convert("RGB").getcolors(maxcolors=1_000_000)) > 500

    stored = process_upload(data, folder="products")
    assert (stored.width, stored.height) == (1200, 900)

    again = render_demo_photo(motif="coffee_bag", palette="coffee", badge="COFFEE", seed=3)
    assert again == data  # deterministic


def _pixels(data: bytes) -> list[tuple[int, int, int]]:
    with Image.open(io.BytesIO(data)) as photo:
        return list(photo.convert("RGB").resize((48, 36)).get_flattened_data())


def _difference(a: bytes, b: bytes) -> float:
    """Mean absolute difference per channel, 0–255."""
    pa, pb = _pixels(a), _pixels(b)
    return sum(abs(x - y) for p, q in zip(pa, pb, strict=True) for x, y in zip(p, q, strict=True)) / (len(pa) * 3)


def test_products_of_one_kind_do_not_look_alike():
    """Two coffees of one enterprise, and two enterprises' villages, differ clearly."""
    medium = render_demo_photo(motif="coffee_bag", palette="coffee", badge="MEDIUM", seed=0, width=240)
    dark = render_demo_photo(motif="coffee_bag", palette="coffee", badge="DARK", seed=1, width=240)
    assert _difference(medium, dark) > 12
    first = render_demo_photo(motif="village", palette="coffee", seed=1000, width=240)
    second = render_demo_photo(motif="village", palette="rice", seed=1001, width=240)
    assert _difference(first, second) > 12


def test_demo_photos_carry_no_words():
    """Names belong in the alt text (translated, never cropped): the artwork module
    draws no text at all."""
    source = Path(demo_artwork.__file__).read_text(encoding="utf-8")
    assert "ImageFont" not in source and ".text(" not in source


@pytest.mark.parametrize("motif", demo_artwork.MOTIFS)
def test_every_demo_motif_renders(app, motif):
    data = render_demo_photo(motif=motif, palette="produce", badge="ป้าย", width=240)
    with Image.open(io.BytesIO(data)) as photo:
        assert photo.size == (240, 180)


def test_unknown_demo_motif_is_an_error():
    with pytest.raises(ValueError):
        render_demo_photo(motif="spaceship", palette="coffee")


# ---------------------------------------------------------------- Pillow stays in two modules


def test_only_the_upload_pipeline_and_the_demo_artwork_import_pillow():
    """Pillow decodes hostile bytes in ``catalog/images.py`` only; ``demo_artwork.py``
    draws the demo photos and never sees an upload. No other module imports it."""
    root = Path(__file__).resolve().parents[2]
    allowed = {root / "shop" / "catalog" / "images.py", root / "shop" / "catalog" / "demo_artwork.py"}
    pattern = re.compile(r"^\s*(import\s+PIL\b|from\s+PIL\b)", re.MULTILINE)
    importers = {path for path in (root / "shop").rglob("*.py") if pattern.search(path.read_text(encoding="utf-8"))}
    assert importers == allowed
