"""QBR figures say what the numbers say: 112 × the licence is "over", not "near the limit"."""

import pytest
from django.template.loader import render_to_string

from metrics.qbr.figures import expansion_section
from tests.support.factories import SeatCountFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("active", "near", "over", "phrase"),
    [
        (448, False, True, "over the licence (112× the seats bought)"),
        (4, True, False, "near the limit"),
        (2, False, False, ""),
    ],
)
def test_seat_use_is_near_or_over_the_limit(tenant_a, active, near, over, phrase):
    with tenant_a:
        SeatCountFactory(seats=4)
        expansion = expansion_section({"active_users": active, "features": []})
    assert (expansion["seats_near_limit"], expansion["seats_over_limit"]) == (near, over)
    html = render_to_string("qbr/_figures.html", {"figures": _figures(expansion, active)})
    if phrase:
        assert phrase in html
    assert ("near the limit" in html) == near


def _figures(expansion: dict, active: int) -> dict:
    return {
        "health": {"available": False},
        "adoption": {"active_users": active, "features": []},
        "usage": {"series": [], "current": 0, "previous": 0, "change": None},
        "onboarding": {"available": False},
        "nps": {"answers": 0},
        "tickets": {},
        "outcomes": {"promised": 0, "achieved": 0, "rows": []},
        "risks": {"overdue_tasks": [], "overdue_count": 0},
        "expansion": expansion,
        "period": {"start": "2026-07-01", "end": "2026-10-01"},
    }
