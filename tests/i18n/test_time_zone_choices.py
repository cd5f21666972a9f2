"""The time zone pickers offer the canonical Area/Location zones, yet keep a legacy value already stored."""

import pytest

from portal.accounts.forms import PreferencesForm, TenantLocaleForm
from portal.tenancy.clock import offered_time_zone_names

pytestmark = pytest.mark.django_db


def _zones(form) -> list[str]:
    return [value for value, _ in form.fields["time_zone"].choices]


def test_only_canonical_zones_and_utc_are_offered():
    names = offered_time_zone_names()
    assert "Asia/Shanghai" in names and "Europe/Berlin" in names and "UTC" in names
    for legacy in ("Cuba", "Factory", "US/Alaska", "Etc/GMT+5", "Zulu", "localtime", "PRC"):
        assert legacy not in names


def test_a_stored_legacy_zone_stays_shown_and_valid():
    form = PreferencesForm(
        {"language": "", "time_zone": "US/Alaska"}, on_tenant=True, initial={"time_zone": "US/Alaska"}
    )
    assert "US/Alaska" in _zones(form) and "Cuba" not in _zones(form)
    assert form.is_valid(), form.errors
    fresh = TenantLocaleForm(initial={"language": "en", "time_zone": "Asia/Shanghai"})
    assert "US/Alaska" not in _zones(fresh) and "Asia/Shanghai" in _zones(fresh)


def test_a_name_that_is_no_zone_is_still_refused():
    form = TenantLocaleForm({"language": "en", "time_zone": "Mars/Olympus"})
    assert not form.is_valid() and "time_zone" in form.errors
