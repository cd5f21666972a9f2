"""Template tags of the design system (docs/design.md): `{% load ui %}`."""

import hashlib
from datetime import date, timedelta

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

# Avatar backgrounds: each passes WCAG AA (4.5:1) against white initials.
AVATAR_COLOURS = ("#0b5cad", "#5b2a86", "#1e6b34", "#8a3b12", "#0f5f6b", "#7a1f4f", "#3d4b5c")


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    """A Lucide icon from the vendored sprite; decorative unless given a label."""
    href = f"{static('icons/lucide.svg')}#{name}"
    if label:
        return format_html('<svg class="icon" role="img" aria-label="{}"><use href="{}"></use></svg>', label, href)
    return format_html('<svg class="icon" aria-hidden="true" focusable="false"><use href="{}"></use></svg>', href)


def initials(name: str) -> str:
    words = [w for w in str(name).replace("@", " ").replace(".", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.simple_tag
def avatar(name: str, size: str = "") -> str:
    """Initials in a circle, its colour fixed by the name; the name itself is printed next to it."""
    digest = hashlib.sha256(str(name).encode()).digest()
    colour = AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]
    css = f"avatar avatar-{size}" if size else "avatar"
    return format_html(
        '<span class="{}" data-colour="{}" aria-hidden="true">{}</span>',
        css,
        AVATAR_COLOURS.index(colour),
        initials(name),
    )


@register.inclusion_tag("ui/progress_ring.html")
def progress_ring(percent: int | float | None, label: str = "") -> dict[str, object]:
    """A ring showing `percent` (0-100) done, the figure in its centre; `label` names it for screen readers."""
    value = max(0, min(100, round(percent or 0)))
    return {"percent": value, "label": label}


@register.filter
def day_before(value: date | str | None) -> str:
    """The last day of a period whose end is stored exclusive ("2026-10-01" → "2026-09-30")."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return (day - timedelta(days=1)).isoformat()
