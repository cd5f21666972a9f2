"""Why a CTA opened: stored in English with its figures, read in each reader's language."""

import pytest
from django.utils.translation import override

from metrics.cockpit.models import Cta
from metrics.cockpit.reasons import REASONS, Reason, reason_text
from tests.support.english import english_in

ARGS = {
    "health": {"red": True, "points": 15, "before": 50, "now": 35},
    "stall": {"checklist": "安全运营平台上线", "task": "部署探针", "since": "2026-11-20"},
    "renewal": {"days": 3, "date": "2026-12-04", "not_green": True, "band": "red", "no_qbr": True, "quarters": 2},
    "qbr": {"days": -4, "date": "2026-11-27", "tier": "strategic"},
    "nps": {"score": 2, "date": "2026-12-01", "comment": "太慢"},
    "adoption": {"target": 40, "below": [["告警分诊", 12], ["自动处置", 0]]},
    "zombie": {"active": 3, "seats": 40, "share": "8"},
    "milestone": {"title": "上线", "days": 1, "date": "2026-11-30"},
    "expansion": {"seats_full": True, "used": 38, "seats": 40, "share": "95", "adopted": True, "target": 80},
}


@pytest.mark.pure
def test_every_kind_of_reason_has_figures_here():
    assert set(ARGS) == set(REASONS)


@pytest.mark.pure
@pytest.mark.parametrize("kind", sorted(ARGS))
def test_each_reason_is_stored_in_english_and_read_in_chinese(kind):
    reason = Reason(kind, **ARGS[kind])
    assert english_in(f"<p>{reason}</p>"), "the stored sentence is English"
    assert reason.args == {"kind": kind, **ARGS[kind]}
    with override("zh-hans"):
        assert english_in(f"<p>{reason_text(reason, reason.args)}</p>") == []
    with override("en"):
        assert reason_text(reason, reason.args) == reason


@pytest.mark.pure
def test_the_english_sentences_read_as_before():
    assert Reason("health", **ARGS["health"]) == "Health is red and fell 15 points in 7 days (50 → 35)."
    assert Reason("health", red=True, points=None, before=None, now=20) == "Health is red."
    assert Reason("qbr", **ARGS["qbr"]) == "QBR overdue by 4 days (27 Nov 2026, strategic cadence)."
    assert Reason("qbr", days=0, date="2026-12-01", tier="key") == "QBR due today (01 Dec 2026, key cadence)."
    assert Reason("renewal", **{**ARGS["renewal"], "no_qbr": False}) == (
        "Renewal in 3 days (04 Dec 2026) and health is red."
    )
    assert Reason("expansion", **{**ARGS["expansion"], "adopted": False}) == "Room to grow: 38 of 40 seats used (95 %)."
    with override("zh-hans"):
        assert (
            reason_text("", Reason("qbr", **ARGS["qbr"]).args) == "业务回顾已逾期 4 天（2026年11月27日，战略级节奏）。"
        )


@pytest.mark.pure
def test_a_cta_stored_before_its_figures_were_kept_shows_its_english_sentence():
    old = Cta(reason="Health fell 12 points in 7 days (70 → 58).", reason_args={})
    with override("zh-hans"):
        assert old.reason_text == "Health fell 12 points in 7 days (70 → 58)."
        assert Cta(reason="Old.", reason_args={"kind": "qbr"}).reason_text == "Old."  # figures missing
