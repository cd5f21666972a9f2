"""Which language and time zone a page is in, who may change them, and the tenant's business days."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from portal.accounts.access import AccessDenied
from portal.accounts.services import user_preferences_update
from portal.audit.models import AuditEvent
from portal.tenancy.clock import day_start, default_time_zone_for, tenant_today, validate_time_zone, zone
from portal.tenancy.models import Tenant
from portal.tenancy.services import tenant_locale_update, tenant_provision
from tests.support.clients import client_for
from tests.support.factories import UserFactory


# --- the language of a page ------------------------------------------------------------------
def test_a_member_sees_the_tenants_default_language(shanghai_a, member_a):
    response = client_for(member_a, shanghai_a).get("/account/")
    assert response["Content-Language"] == "zh-hans"
    assert "您的语言和时区" in response.content.decode()


def test_a_users_own_choice_beats_the_tenants(shanghai_a, member_a):
    member_a.language = "en"
    member_a.save(update_fields=["language"])
    response = client_for(member_a, shanghai_a).get("/account/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Content-Language"] == "en"
    assert "Your language and time zone" in response.content.decode()


def test_a_member_without_choices_follows_the_tenant_not_the_browser(tenant_a, member_a):
    response = client_for(member_a, tenant_a).get("/account/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"), ("zh-Hans", "zh-hans"), ("en-GB", "en"), ("fr-FR", "en")],
)
def test_anonymous_pages_follow_accept_language(tenant_a, header, expected):
    response = client_for(None, tenant_a).get("/login/", HTTP_ACCEPT_LANGUAGE=header)
    assert response["Content-Language"] == expected
    assert "Accept-Language" in response["Vary"]


def test_anonymous_pages_without_accept_language_use_the_tenants_default(shanghai_a):
    assert client_for(None, shanghai_a).get("/login/")["Content-Language"] == "zh-hans"


def test_a_browser_asking_only_for_languages_keel_lacks_gets_the_tenants_default(shanghai_a):
    response = client_for(None, shanghai_a).get("/login/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,de;q=0.5")
    assert response["Content-Language"] == "zh-hans"


def test_the_console_follows_the_browser_until_the_user_chooses(admin_user):
    client = client_for(admin_user)
    assert client.get("/account/", HTTP_ACCEPT_LANGUAGE="zh-CN")["Content-Language"] == "zh-hans"
    response = client.post("/account/", {"language": "en", "time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    assert client.get("/account/", HTTP_ACCEPT_LANGUAGE="zh-CN")["Content-Language"] == "en"


def test_one_requests_language_does_not_leak_into_the_next_line(shanghai_a, member_a):
    client_for(member_a, shanghai_a).get("/account/")
    from django.utils import translation

    assert translation.get_language() == "en"


# --- the account page -------------------------------------------------------------------------
def test_a_member_picks_a_language_and_zone_on_the_account_page(tenant_a, member_a):
    client = client_for(member_a, tenant_a)
    response = client.post("/account/", {"language": "zh-hans", "time_zone": "Asia/Shanghai"}, follow=True)
    assert response.status_code == 200
    member_a.refresh_from_db()
    assert (member_a.language, member_a.time_zone) == ("zh-hans", "Asia/Shanghai")
    page = response.content.decode()
    assert "您的语言和时区已保存。" in page  # the confirmation is in the language just chosen
    assert "Asia/Shanghai" in page
    assert AuditEvent.objects.filter(action="user.preferences_updated", actor=member_a).exists()


def test_an_unknown_zone_is_a_400_saying_so(tenant_a, member_a):
    response = client_for(member_a, tenant_a).post("/account/", {"language": "", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "Mars/Olympus" in response.content.decode()
    member_a.refresh_from_db()
    assert member_a.time_zone == ""


def test_nobody_changes_another_persons_preferences(member_a, db):
    with pytest.raises(AccessDenied):
        user_preferences_update(user=member_a, language="en", time_zone="", actor=UserFactory())


def test_the_service_refuses_an_unknown_language_and_zone(member_a):
    with pytest.raises(ValidationError) as caught:
        user_preferences_update(user=member_a, language="tlh", time_zone="Nowhere/Land", actor=member_a)
    assert set(caught.value.message_dict) == {"language", "time_zone"}


# --- the tenant's defaults, set by its admin --------------------------------------------------
def test_the_customer_admin_sets_the_tenants_language_and_zone(tenant_a, customer_admin_a):
    client = client_for(customer_admin_a, tenant_a)
    assert client.get("/settings/").status_code == 200
    response = client.post("/settings/", {"language": "zh-hans", "time_zone": "Asia/Shanghai"})
    assert response.status_code == 302
    tenant_a.refresh_from_db()
    assert (tenant_a.language, tenant_a.time_zone) == ("zh-hans", "Asia/Shanghai")
    event = AuditEvent.objects.get(action="tenant.locale_updated", tenant=tenant_a)
    assert event.data["before"] == {"language": "en", "time_zone": "UTC"}


def test_a_member_may_not_change_the_tenants_defaults(tenant_a, member_a):
    client = client_for(member_a, tenant_a)
    assert client.get("/settings/").status_code == 403
    assert client.post("/settings/", {"language": "zh-hans", "time_zone": "Asia/Shanghai"}).status_code == 403
    tenant_a.refresh_from_db()
    assert tenant_a.language == "en"


def test_the_assigned_csm_may_change_them_and_the_service_checks_too(tenant_a, csm_a, member_a):
    tenant_locale_update(tenant=tenant_a, language="zh-hans", time_zone="Asia/Shanghai", actor=csm_a)
    with pytest.raises(AccessDenied):
        tenant_locale_update(tenant=tenant_a, language="en", time_zone="UTC", actor=member_a)


def test_a_bad_zone_on_the_settings_page_is_a_400(tenant_a, customer_admin_a):
    response = client_for(customer_admin_a, tenant_a).post("/settings/", {"language": "en", "time_zone": "UTC+8"})
    assert response.status_code == 400


# --- provisioning defaults ------------------------------------------------------------------
def test_a_chinese_tenant_is_provisioned_on_shanghai_time(admin_user):
    result = tenant_provision(actor=admin_user, name="华安科技", slug="huaan", language="zh-hans")
    assert (result.tenant.language, result.tenant.time_zone) == ("zh-hans", "Asia/Shanghai")
    default = tenant_provision(actor=admin_user, name="Gamma", slug="gamma")
    assert (default.tenant.language, default.tenant.time_zone) == ("en", "UTC")


@override_settings(KEEL_TENANT_DEFAULT_LANGUAGE="zh-hans", KEEL_TENANT_DEFAULT_TIME_ZONE="Asia/Hong_Kong")
def test_the_provisioning_defaults_come_from_settings(admin_user):
    result = tenant_provision(actor=admin_user, name="Delta", slug="delta")
    assert (result.tenant.language, result.tenant.time_zone) == ("zh-hans", "Asia/Hong_Kong")


def test_provisioning_refuses_an_unknown_zone_and_makes_nothing(admin_user):
    with pytest.raises(ValidationError) as caught:
        tenant_provision(actor=admin_user, name="Eps", slug="eps", time_zone="Asia/Peking")
    assert "time_zone" in caught.value.message_dict
    assert not Tenant.objects.filter(slug="eps").exists()


def test_the_console_form_provisions_with_a_language_and_zone(admin_user):
    response = client_for(admin_user).post(
        "/console/tenants/new/",
        {"name": "Zeta", "slug": "zeta", "arr": "0", "language": "zh-hans", "time_zone": ""},
    )
    assert response.status_code == 302, response.content[:500]
    tenant = Tenant.objects.get(slug="zeta")
    assert (tenant.language, tenant.time_zone) == ("zh-hans", "Asia/Shanghai")


# --- the day boundary -----------------------------------------------------------------------
@pytest.mark.pure
def test_a_shanghai_day_starts_at_1600_utc_the_day_before():
    shanghai = zone("Asia/Shanghai")
    assert day_start(date(2026, 3, 1), shanghai) == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    tenant = Tenant(time_zone="Asia/Shanghai")
    assert tenant_today(tenant, now=datetime(2026, 2, 28, 15, 59, 59, tzinfo=UTC)) == date(2026, 2, 28)
    assert tenant_today(tenant, now=datetime(2026, 2, 28, 16, 0, tzinfo=UTC)) == date(2026, 3, 1)
    assert tenant_today(Tenant(time_zone="UTC"), now=datetime(2026, 2, 28, 16, 0, tzinfo=UTC)) == date(2026, 2, 28)


@pytest.mark.pure
def test_zone_names_are_checked_against_the_iana_database():
    validate_time_zone("Asia/Shanghai")
    for bad in ("", "CST", "UTC+8", "../etc/passwd", "Asia/Peking"):
        with pytest.raises(ValidationError):
            validate_time_zone(bad)
    assert zone("nonsense").key == "UTC"


@pytest.mark.pure
@override_settings(KEEL_TENANT_DEFAULT_TIME_ZONE="")
def test_the_default_zone_follows_the_language():
    assert default_time_zone_for("zh-hans") == "Asia/Shanghai"
    assert default_time_zone_for("en") == "UTC"


def test_pages_show_times_in_the_viewers_zone(shanghai_a, member_a):
    moment = datetime(2026, 2, 28, 16, 30, tzinfo=UTC)
    response = client_for(member_a, shanghai_a).get("/account/")
    assert response.context["effective_zone"] == "Asia/Shanghai"
    member_a.time_zone = "Europe/Berlin"
    member_a.save(update_fields=["time_zone"])
    response = client_for(member_a, shanghai_a).get("/account/")
    assert response.context["effective_zone"] == "Europe/Berlin"
    assert timezone.localtime(moment, zone("Europe/Berlin")).hour == 17
