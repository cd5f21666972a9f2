"""The health-score settings are checked at start-up."""

import pytest
from django.conf import settings
from django.test import override_settings

from metrics.checks import health_settings_check

pytestmark = pytest.mark.pure  # pure functions: no database (tests/conftest.py)


def test_the_shipped_settings_pass():
    assert health_settings_check() == []


def test_missing_tiers_unknown_components_bad_weights_and_bands_are_errors():
    config = {
        **settings.KEEL_HEALTH,
        "weights": {"strategic": {"usage": 1, "mood": 2}, "key": {"usage": 0}},
        "bands": {"green": 40, "yellow": 70},
    }
    with override_settings(KEEL_HEALTH=config):
        ids = sorted(e.id for e in health_settings_check())
    assert ids == ["metrics.E001", "metrics.E002", "metrics.E003", "metrics.E004"]


def test_weights_that_do_not_add_up_to_100_are_an_error():
    # They become the first health scorecard version, whose weights are whole per cent of 100.
    weights = {**settings.KEEL_HEALTH["weights"], "key": {"usage": 30, "adoption": 30}}
    with override_settings(KEEL_HEALTH={**settings.KEEL_HEALTH, "weights": weights}):
        assert [e.id for e in health_settings_check()] == ["metrics.E005"]
