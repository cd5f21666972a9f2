"""Sentences Keel writes into the database: stored in English, shown in each reader's language.

A row keeps the English sentence (what exports, the API and the admin show) beside its kind and
figures; pages render the kind's sentence from the figures in the active language. A row written
before its figures were kept (or whose figures have an older shape) shows its stored sentence.
Used by health explanations (metrics/scoring.py), onboarding activity (onboarding/activity.py)
and CTA reasons (metrics/cockpit/reasons.py).
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import override

Render = Callable[[Mapping[str, Any]], str]


def in_english(render: Render, figures: Mapping[str, Any]) -> str:
    """The sentence to store: ``render`` of ``figures`` in English."""
    with override("en"):
        return render(figures)


def in_reader_language(texts: Mapping[str, Render], kind: str, figures: Mapping[str, Any], stored: str) -> str:
    """The sentence of ``kind`` from ``figures`` in the active language; ``stored`` when it cannot be made."""
    render = texts.get(kind)
    if render is not None:
        try:
            return render(figures)
        except (KeyError, TypeError, ValueError):  # figures missing or of an older shape
            pass
    return stored
