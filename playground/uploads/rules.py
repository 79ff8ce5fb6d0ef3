"""What each model accepts as an input image, checked with Pillow before anything is sent."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

MB = 1024 * 1024
# More pixels than this is refused as a possible decompression bomb; 6000 x 6000 fits.
MAX_PIXELS = 40_000_000

CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
# Camera JPEGs often open as MPO (a JPEG with extra frames); upstream sees a JPEG.
FORMAT_ALIASES = {"MPO": "JPEG"}
# How format names read in a sentence.
FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPG", "WEBP": "WebP"}


@dataclass(frozen=True)
class ImageRules:
    formats: frozenset[str]  # Pillow format names: "PNG", "JPEG", "WEBP"
    max_bytes: int
    min_side: int
    max_side: int | None
    min_aspect: float  # width / height
    max_aspect: float

    @property
    def accept(self) -> str:
        """The formats as an `accept` attribute for a file input."""
        return ",".join(CONTENT_TYPES[name] for name in sorted(self.formats))


@dataclass(frozen=True)
class ImageInfo:
    format: str
    content_type: str
    width: int
    height: int


# Kling image2video: jpg/png, at most 10 MB, at least 300 px, aspect 1:2.5 to 2.5:1.
KLING_IMAGE = ImageRules(
    formats=frozenset({"PNG", "JPEG"}),
    max_bytes=10 * MB,
    min_side=300,
    max_side=None,
    min_aspect=1 / 2.5,
    max_aspect=2.5,
)
# Seedance (Ark): jpeg/png/webp, at most 10 MB, 300..6000 px per side, aspect 0.4..2.5.
SEEDANCE_IMAGE = ImageRules(
    formats=frozenset({"PNG", "JPEG", "WEBP"}),
    max_bytes=10 * MB,
    min_side=300,
    max_side=6000,
    min_aspect=0.4,
    max_aspect=2.5,
)
# Reference images (Seedream image-to-image and the like): generous, but not a favicon.
REFERENCE_IMAGE = ImageRules(
    formats=frozenset({"PNG", "JPEG", "WEBP"}),
    max_bytes=10 * MB,
    min_side=64,
    max_side=None,
    min_aspect=1 / 16,
    max_aspect=16,
)


def image_check(data: bytes, rules: ImageRules) -> ImageInfo:
    """Checks an image against `rules`, raising ValidationError with a sentence a user can read."""
    image_size_check(len(data), rules)
    image_format, width, height = _inspect(data)
    if image_format not in rules.formats:
        raise ValidationError(
            gettext("The image must be %(formats)s; this one is a %(format)s.")
            % {
                "formats": _format_list(rules.formats),
                "format": FORMAT_NAMES.get(image_format, image_format),
            },
            code="format",
        )
    shape = f"{width}×{height} px"  # noqa: RUF001 (the multiplication sign, on purpose)
    if min(width, height) < rules.min_side:
        raise ValidationError(
            gettext("The image must be at least %(side)s px on each side; this one is %(shape)s.")
            % {"side": rules.min_side, "shape": shape},
            code="too_small",
        )
    if rules.max_side is not None and max(width, height) > rules.max_side:
        raise ValidationError(
            gettext("The image must be at most %(side)s px on each side; this one is %(shape)s.")
            % {"side": rules.max_side, "shape": shape},
            code="too_big",
        )
    aspect = width / height
    if not rules.min_aspect - 1e-9 <= aspect <= rules.max_aspect + 1e-9:
        raise ValidationError(
            gettext(
                "The image's aspect ratio must be between %(low)s and %(high)s; this one is "
                "%(shape)s."
            )
            % {"low": _ratio(rules.min_aspect), "high": _ratio(rules.max_aspect), "shape": shape},
            code="aspect",
        )
    return ImageInfo(
        format=image_format,
        content_type=CONTENT_TYPES[image_format],
        width=width,
        height=height,
    )


def image_size_check(size: int, rules: ImageRules) -> None:
    """Refuses a file over the byte limit; callers may check a declared size before reading."""
    if size > rules.max_bytes:
        raise ValidationError(
            gettext("The image must be %(limit)s or smaller; this one is %(size)s.")
            % {"limit": megabytes(rules.max_bytes), "size": megabytes(size)},
            code="too_large",
        )


def _inspect(data: bytes) -> tuple[str, int, int]:
    """The format and size, after Pillow has verified and decoded the file.

    The pixel count is checked from the header, before anything is decoded, so a small file
    that would decode to gigabytes (a decompression bomb) is refused cheaply. Pillow's own
    global limit is left alone: changing it would race with other threads.
    """
    unreadable = ValidationError(
        gettext("That file is not an image we can read."), code="unreadable"
    )
    bomb = ValidationError(gettext("The image is too large to process."), code="bomb")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = FORMAT_ALIASES.get(image.format or "", image.format or "unknown")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise bomb
            image.verify()
        if image_format in CONTENT_TYPES:
            # verify() leaves the image unusable; decoding a fresh one refuses truncated files.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise unreadable from None
    if width <= 0 or height <= 0:
        raise unreadable
    return image_format, width, height


def megabytes(size: int) -> str:
    """`10 MB`, `12.3 MB`, `98 kB`: sizes as users read them (binary units, as the limits mean)."""
    if size < MB:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / MB:.1f}".removesuffix(".0") + " MB"


def _format_list(formats: frozenset[str]) -> str:
    names = [FORMAT_NAMES.get(name, name) for name in ("JPEG", "PNG", "WEBP") if name in formats]
    names += sorted(FORMAT_NAMES.get(name, name) for name in formats - set(FORMAT_NAMES))
    if len(names) == 1:
        return gettext("a %(format)s") % {"format": names[0]}
    return gettext("a %(formats)s or %(last)s") % {
        "formats": gettext(", ").join(names[:-1]),
        "last": names[-1],
    }


def _ratio(aspect: float) -> str:
    """0.4 -> `1:2.5`, 2.5 -> `2.5:1`."""
    if aspect >= 1:
        return f"{aspect:g}:1"
    return f"1:{round(1 / aspect, 2):g}"
