"""The upload pipeline for photos that people upload (products, enterprises, payment
slips). With ``demo_artwork.py`` (the drawn photos of the demo catalogue) the only
module that imports Pillow; this one sees untrusted bytes, that one never does.

Every upload goes through ``process_upload``, which treats the bytes as hostile:

1. size in bytes checked before Pillow sees anything;
2. the type decided by content, with Pillow limited to JPEG, PNG and WebP (a PDF or
   GIF renamed ``.jpg`` is refused, and no exotic decoder is ever reached);
3. the pixel count read from the header and checked *before* decoding, so a
   decompression bomb (a tiny PNG claiming 50,000 × 50,000 pixels) is refused without
   allocating anything; Pillow's own bomb check is made strict as a second fence;
4. ``verify()`` on one open, then a fresh open to decode (Pillow cannot decode after
   verify) so a truncated or corrupt file is refused with a clear message;
5. orientation fixed from EXIF, then the pixels copied onto a new RGB image (alpha
   flattened onto white), which carries no EXIF, GPS, ICC profile or comment;
6. re-encoded as WebP at each size of ``storage.IMAGE_SIZES`` (longest side, never
   upscaled) and written under one random key. Either every size is written or none.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from shop import storage
from shop.errors import ValidationFailed

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Pillow's JPEG decoder reports some phone photos as MPO (a JPEG carrying extra
# frames, e.g. a depth map); the first frame is an ordinary JPEG.
_DECODED_FORMATS = (*ACCEPTED_FORMATS, "MPO")
WEBP_QUALITY = 82
BACKGROUND = (255, 255, 255)


class ImageRejected(ValidationFailed):
    """An upload that is not a usable photo; ``reason`` says which check refused it."""

    code = "image_rejected"
    default_message = _l("This file is not a photo we can use.")

    def __init__(self, message=None, *, reason: str = "invalid", fields: dict[str, str] | None = None):
        self.reason = reason
        super().__init__(message, fields=fields)


@dataclass(frozen=True)
class StoredImage:
    image_key: str
    width: int  # of the largest stored size
    height: int


def _reject(reason: str) -> ImageRejected:
    messages = {
        "empty": _l("The file is empty. Choose a JPEG, PNG or WebP photo."),
        "unsupported": _l("This file is not a JPEG, PNG or WebP image. Choose a photo in one of those formats."),
        "too_large": _l("The photo is too large (at most %(mb)s MB). Choose a smaller file.",
                        mb=_megabytes(current_app.config["MAX_IMAGE_BYTES"])),
        "too_many_pixels": _l("The photo has too many pixels (at most %(mp)s megapixels). Resize it and try again.",
                              mp=_megapixels(current_app.config["MAX_IMAGE_PIXELS"])),
        "corrupt": _l("The photo is damaged or incomplete. Save it again or choose another file."),
    }
    return ImageRejected(messages[reason], reason=reason)


def _megabytes(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _megapixels(n: int) -> str:
    value = n / 1_000_000
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _open(data: bytes) -> Image.Image:
    """Open lazily (header only); raise ImageRejected when it is not an accepted type."""
    try:
        image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _reject("too_many_pixels") from None
    except UnidentifiedImageError:
        raise _reject("unsupported") from None
    except (OSError, SyntaxError, ValueError, TypeError, IndexError, struct.error, EOFError):
        raise _reject("corrupt") from None
    if image.format not in _DECODED_FORMATS:  # belt and braces: formats= already limits this
        raise _reject("unsupported")
    return image


def _check_pixels(image: Image.Image, limit: int) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise _reject("corrupt")
    if width * height > limit:
        raise _reject("too_many_pixels")


def _decode(data: bytes) -> Image.Image:
    """Checks 2–4 of the module docstring; returns a fully decoded image."""
    limit = int(current_app.config["MAX_IMAGE_PIXELS"])
    # Pillow's own check raises at twice its limit and only warns between one and two
    # times; the limit is set here and the warning turned into an error below.
    Image.MAX_IMAGE_PIXELS = limit
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        probe = _open(data)
        _check_pixels(probe, limit)
        try:
            probe.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _reject("too_many_pixels") from None
        except Exception:  # noqa: BLE001 - any decoder complaint means a damaged file
            raise _reject("corrupt") from None
        finally:
            probe.close()

        image = _open(data)
        _check_pixels(image, limit)
        if image.format in ("JPEG", "MPO"):
            # Let the JPEG decoder scale down by 2, 4 or 8 while decoding when the
            # result is still at least as large as our largest size: a 12-megapixel
            # phone photo then costs a quarter of the memory and time.
            longest = max(storage.IMAGE_SIZES.values())
            image.draft(None, (longest, longest))
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _reject("too_many_pixels") from None
        except Exception:  # noqa: BLE001
            raise _reject("corrupt") from None
    return image


def _clean_rgb(image: Image.Image) -> Image.Image:
    """Upright, RGB, alpha on white, and no metadata of any kind."""
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - broken EXIF: keep the pixels as stored
        upright = image
    upright = upright or image
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        source = flat
    elif upright.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale PNG: scale to 8 bits before converting.
        source = upright.point(lambda v: v / 256).convert("L").convert("RGB")
    else:
        source = upright.convert("RGB")
    # A fresh image starts with empty ``info``: no EXIF, GPS, ICC profile, XMP or comment
    # can follow the pixels into the files we write.
    clean = Image.new("RGB", source.size, BACKGROUND)
    clean.paste(source)
    return clean


def _encode_webp(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4, exif=b"", icc_profile=None, xmp=b"")
    return buffer.getvalue()


def _resized(image: Image.Image, longest: int) -> Image.Image:
    width, height = image.size
    if max(width, height) <= longest:
        return image
    scale = longest / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def process_upload(data: bytes, *, folder: str) -> StoredImage:
    """Check, clean and store an uploaded photo at every size; see the module docstring.

    Raises ``ImageRejected`` (a ``ValidationFailed``) with a message for the user.
    """
    if not data:
        raise _reject("empty")
    if len(data) > int(current_app.config["MAX_IMAGE_BYTES"]):
        raise _reject("too_large")
    image = _decode(data)
    try:
        clean = _clean_rgb(image)
    finally:
        image.close()

    # Largest first, each smaller size made from the previous one: cheaper and as sharp.
    encoded: list[tuple[str, bytes]] = []
    current = clean
    full_size = None
    for size_name, longest in sorted(storage.IMAGE_SIZES.items(), key=lambda item: -item[1]):
        current = _resized(current, longest)
        if full_size is None:
            full_size = current.size
        encoded.append((size_name, _encode_webp(current)))

    image_key = storage.new_image_key()
    written: list[str] = []
    try:
        for size_name, payload in encoded:
            key = storage.image_file_key(folder, image_key, size_name)
            storage.save_bytes(key, payload)
            written.append(key)
    except BaseException:
        for key in written:
            storage.delete(key)
        raise
    assert full_size is not None  # noqa: S101 - IMAGE_SIZES is never empty
    return StoredImage(image_key=image_key, width=full_size[0], height=full_size[1])


def delete_image(folder: str, image_key: str) -> None:
    """Remove every stored size of one image (missing files are fine)."""
    for size_name in storage.IMAGE_SIZES:
        storage.delete(storage.image_file_key(folder, image_key, size_name))
