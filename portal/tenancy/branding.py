"""A customer's accent colour, accepted only when text on it and it on white stay readable (WCAG AA)."""

import io
import re

DEFAULT_ACCENT = "#0b5cad"
# WCAG 2.x AA for normal text. The accent is a button background under white text and the colour of
# links on white, so both pairs need it: they are the same pair.
AA_RATIO = 4.5
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours, from 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def accent_problem(colour: str) -> str | None:
    """Why ``colour`` cannot be the accent, or None when it can."""
    if not HEX.match(colour):
        return "Give the colour as # and six hexadecimal digits, e.g. #0b5cad."
    ratio = contrast_ratio(colour, "#ffffff")
    if ratio < AA_RATIO:
        return (
            f"{colour} is too light: white text on it (and it on white) has a contrast of {ratio:.1f}:1, "
            f"below the {AA_RATIO}:1 that WCAG AA asks for. Choose a darker shade."
        )
    return None


def accent_soft(colour: str) -> str:
    """A pale tint of the accent (12 % on white) for backgrounds under dark text."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(255 - (255 - c) * 0.12) for c in (r, g, b)))


LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 512


def logo_png(data: bytes) -> bytes:
    """Return an uploaded PNG or JPEG logo re-encoded as a PNG at most 512 px a side.

    Re-encoding keeps only pixels: nothing else the upload carried (metadata, scripts in an SVG,
    a polyglot file) reaches pages or documents. Raise ValueError saying what is wrong.
    """
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise ValueError(f"The logo is {len(data) // 1024} KB; the limit is {LOGO_MAX_BYTES // 1024} KB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise ValueError("Upload the logo as a PNG or JPEG image.")
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
            out = io.BytesIO()
            image.convert("RGBA").save(out, format="PNG")
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError("This file is not an image Keel can read; upload a PNG or JPEG.") from exc
    return out.getvalue()
