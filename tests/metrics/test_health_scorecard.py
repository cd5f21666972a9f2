"""The health scorecard as data: validated versions, admins only, audited, previewed, used and recorded."""

from dataclasses import replace
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from metrics.models import HealthScore
from metrics.portfolio.models import HealthSnapshot, Scorecard
from metrics.portfolio.scorecard import Rules, problems, rescore, rules_from_settings
from metrics.portfolio.selectors import scorecard_preview_get, scorecard_rules_get
from metrics.portfolio.services import scorecard_ensure, scorecard_publish
from portal.accounts.access import AccessDenied
from portal.audit.models import AuditEvent
from tests.support.clients import client_for
from tests.support.factories import HealthSnapshotFactory, TenantFactory

URL = "/console/scorecard/"
STANDARD = Rules(
    version=None,
    weights={"usage": 35, "adoption": 30, "support": 10, "nps": 10, "onboarding": 15},
    stickiness_target=50,
    adoption_target=80,
    green_from=70,
    yellow_from=40,
)


def _rules(**changes) -> Rules:
    return replace(STANDARD, **changes)


def _every_tier(**changes) -> dict[str, Rules]:
    return {tier: _rules(**changes) for tier in ("strategic", "key", "standard")}


def _components(usage=None, adoption=None, support=None, nps=None, onboarding=None) -> list[dict]:
    values = {"usage": usage, "adoption": adoption, "support": support, "nps": nps, "onboarding": onboarding}
    return [{"key": key, "score": score} for key, score in values.items()]


# --- the rules (pure) ----------------------------------------------------------------------------
@pytest.mark.pure
def test_the_settings_are_version_1_s_rules():
    rules = rules_from_settings(settings.KEEL_HEALTH, "standard")
    assert rules == STANDARD


@pytest.mark.pure
def test_problems_say_what_is_wrong():
    assert (
        problems(weights=STANDARD.weights, stickiness_target=50, adoption_target=80, green_from=70, yellow_from=40)
        == []
    )
    found = problems(
        weights={**STANDARD.weights, "usage": 30},
        stickiness_target=0,
        adoption_target=80,
        green_from=40,
        yellow_from=40,
    )
    assert found == [
        "The weights add up to 95; they must add up to 100.",
        "Green must start above yellow, and both between 1 and 100 (yellow ≥ 1, green ≤ 100).",
        "Targets are between 1 % and 100 %.",
    ]


@pytest.mark.pure
def test_rescoring_under_the_same_rules_gives_the_same_score():
    # 0.35×60 + 0.30×50 + 0.10×100 + 0.10×70 + 0.15×80 = 21 + 15 + 10 + 7 + 12 = 65
    parts = _components(usage=60, adoption=50, support=100, nps=70, onboarding=80)
    assert rescore(parts, core_adoption=None, old=STANDARD, new=STANDARD) == 65


@pytest.mark.pure
def test_rescoring_re_weights_and_re_normalises_over_present_components():
    parts = _components(usage=60, adoption=50, support=100)  # no NPS, no onboarding
    new = _rules(weights={"usage": 20, "adoption": 20, "support": 20, "nps": 20, "onboarding": 20})
    # (60 + 50 + 100) / 3 = 70
    assert rescore(parts, core_adoption=None, old=STANDARD, new=new) == 70


@pytest.mark.pure
def test_rescoring_moves_usage_and_adoption_with_their_targets():
    parts = _components(usage=60, adoption=50)
    # usage: 60 at a 50 % target = a 30 % ratio; at a 40 % target → 75
    # adoption: core adoption 0.6 at a 60 % target → 100 (the stored 50 is not used)
    new = _rules(stickiness_target=40, adoption_target=60, weights={**STANDARD.weights, "usage": 50, "adoption": 15})
    # 50/65 × 75 + 15/65 × 100 = 57.69 + 23.08 = 80.77 → 81
    assert rescore(parts, core_adoption=0.6, old=STANDARD, new=new) == 81
    # adoption without a stored core adoption: rescaled 50 × 80/60 = 66.67; 50/65×75 + 15/65×66.67 = 73.08 → 73
    assert rescore(parts, core_adoption=None, old=STANDARD, new=new) == 73


@pytest.mark.pure
def test_rescoring_nothing_is_no_score():
    assert rescore(_components(), core_adoption=None, old=STANDARD, new=STANDARD) is None


# --- versions ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_version_1_is_made_from_the_settings_once(admin_user):
    first = scorecard_ensure()
    assert (first.version, scorecard_ensure().pk) == (1, first.pk)
    assert scorecard_rules_get(tier="key") == replace(rules_from_settings(settings.KEEL_HEALTH, "key"), version=1)
    assert AuditEvent.objects.filter(action="health.scorecard_created").count() == 1


@pytest.mark.django_db
def test_an_admin_publishes_the_next_version_audited(admin_user):
    card = scorecard_publish(rules=_every_tier(green_from=75), note="Stricter green", actor=admin_user)
    assert card.version == 2  # version 1, the settings, comes first
    assert list(Scorecard.objects.values_list("version", flat=True)) == [2, 1]
    assert scorecard_rules_get(tier="standard").green_from == 75
    assert scorecard_rules_get(tier="standard", version=1).green_from == 70
    event = AuditEvent.objects.get(action="health.scorecard_published")
    assert (event.actor, event.data["version"], event.data["note"]) == (admin_user, 2, "Stricter green")
    assert event.data["tiers"]["key"]["green_from"] == 75


@pytest.mark.django_db
def test_a_csm_cannot_publish(csm_a):
    with pytest.raises(AccessDenied):
        scorecard_publish(rules=_every_tier(), note="x", actor=csm_a)
    assert not Scorecard.objects.exists()


@pytest.mark.django_db
def test_invalid_rules_write_nothing(admin_user):
    rules = {**_every_tier(), "key": _rules(weights={**STANDARD.weights, "nps": 20})}
    with pytest.raises(ValidationError, match="add up to 110"):
        scorecard_publish(rules=rules, note="x", actor=admin_user)
    assert not Scorecard.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="health.scorecard").exists()


@pytest.mark.django_db
def test_the_database_refuses_weights_that_do_not_add_up(admin_user):
    from django.db import IntegrityError

    from tests.support.factories import ScorecardTierFactory

    with pytest.raises(IntegrityError):
        ScorecardTierFactory(weight_usage=50)


# --- scoring uses and records the version --------------------------------------------------------
@pytest.mark.django_db
def test_scores_record_the_scorecard_version_they_used(tenant_a, admin_user, monkeypatch):
    monkeypatch.setattr("onboarding.selectors.checklist_plan_progress_get", lambda **_: (3, 4))  # 75
    monkeypatch.setattr("onboarding.selectors.first_value_get", lambda: None)
    from metrics.models import DailyUsage, Feature
    from metrics.services.health import health_score_compute

    day = date(2026, 11, 20)

    def compute():
        with schema_context(tenant_a.schema_name):
            connection.set_tenant(tenant_a)
            if not DailyUsage.objects.exists():
                feature = Feature.objects.create(key="export", name="Export")
                DailyUsage.objects.create(day=day, feature=feature, user_ref="u1", events=1, quantity=1)
            return health_score_compute(tenant=tenant_a, day=day)

    first = compute()
    assert first.scorecard_version == 1
    assert HealthSnapshot.objects.get(tenant=tenant_a).scorecard_version == 1
    # Onboarding alone weighs everything: the score is its 75; green from 80 makes it yellow.
    only_onboarding = {"usage": 0, "adoption": 0, "support": 0, "nps": 0, "onboarding": 100}
    scorecard_publish(
        rules=_every_tier(weights=only_onboarding, green_from=80), note="Onboarding only", actor=admin_user
    )
    second = compute()
    assert (second.scorecard_version, second.score, second.band) == (2, 75, "yellow")
    with schema_context(tenant_a.schema_name):
        assert HealthScore.objects.get(day=day).scorecard_version == 2
    assert HealthSnapshot.objects.get(tenant=tenant_a).scorecard_version == 2


# --- the preview ---------------------------------------------------------------------------------
@pytest.fixture
def snapshots(db):
    """Three standard customers: 65 (yellow), 70 (green), 29 (red); one without enough data.

    Green Co: 0.35×80 + 0.30×60 + 0.10×100 + 0.10×50 + 0.15×60 = 28 + 18 + 10 + 5 + 9 = 70;
    Red Co: 3.5 + 6 + 5 + 5 + 9 = 28.5 → 29."""
    made = []
    for name, parts, score in (
        ("Yellow Co", _components(usage=60, adoption=50, support=100, nps=70, onboarding=80), 65),
        ("Green Co", _components(usage=80, adoption=60, support=100, nps=50, onboarding=60), 70),
        ("Red Co", _components(usage=10, adoption=20, support=50, nps=50, onboarding=60), 29),
        ("Grey Co", _components(), None),
    ):
        tenant = TenantFactory(name=name, tier="standard")
        HealthSnapshotFactory(tenant=tenant, score=score, components=parts)
        made.append(tenant)
    return made


@pytest.mark.django_db
def test_the_preview_counts_customers_whose_band_would_change(snapshots, admin_user):
    # Green from 65: Yellow Co (65) turns green; Green Co (70) stays green; Red Co (29) stays red.
    preview = scorecard_preview_get(viewer=admin_user, proposed=_every_tier(green_from=65))
    assert preview.changed == 1
    assert [(c.name, c.band, c.new_band) for c in preview.changes] == [("Yellow Co", "yellow", "green")]
    assert ("Standard", 3, 1) in preview.by_tier()


@pytest.mark.django_db
def test_the_preview_of_the_current_rules_changes_nothing(snapshots, admin_user):
    preview = scorecard_preview_get(viewer=admin_user, proposed=_every_tier())
    assert (preview.changed, preview.changes) == (0, [])


# --- the page ------------------------------------------------------------------------------------
def _post(tier_rules: dict[str, Rules], **extra) -> dict[str, str]:
    data = {}
    for tier, r in tier_rules.items():
        for key, weight in r.weights.items():
            data[f"{tier}-weight_{key}"] = str(weight)
        for key in ("stickiness_target", "adoption_target", "green_from", "yellow_from"):
            data[f"{tier}-{key}"] = str(getattr(r, key))
    return {**data, **extra}


@pytest.mark.django_db
def test_the_page_shows_the_current_values(admin_user):
    response = client_for(admin_user).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="strategic-weight_usage" value="25"' in body
    assert 'name="standard-green_from" value="70"' in body


@pytest.mark.django_db
def test_a_csm_may_not_open_it(csm_a):
    assert client_for(csm_a).get(URL).status_code == 403


@pytest.mark.django_db
def test_weights_that_do_not_add_up_are_refused_with_the_reason(admin_user):
    rules = {**_every_tier(), "key": _rules(weights={**STANDARD.weights, "usage": 30})}
    response = client_for(admin_user).post(URL, _post(rules, preview=""))
    assert response.status_code == 400
    assert "The weights add up to 95; they must add up to 100." in response.content.decode()


@pytest.mark.django_db
def test_a_preview_then_a_save_makes_a_version(snapshots, admin_user):
    client = client_for(admin_user)
    response = client.post(URL, _post(_every_tier(green_from=65), preview=""))
    assert response.status_code == 200
    assert "Preview: 1 customer would change band" in response.content.decode()
    assert not Scorecard.objects.exists()  # a preview saves nothing
    previewed = response.context["note_form"].data["previewed"]
    response = client.post(URL, _post(_every_tier(green_from=65), save="", note="Green from 65", previewed=previewed))
    assert response.status_code == 302
    assert scorecard_rules_get(tier="standard").green_from == 65


@pytest.mark.django_db
def test_saving_values_other_than_the_previewed_ones_shows_their_preview_first(snapshots, admin_user):
    client = client_for(admin_user)
    previewed = client.post(URL, _post(_every_tier(green_from=65), preview="")).context["note_form"].data
    response = client.post(
        URL, _post(_every_tier(green_from=60), save="", note="Changed my mind", previewed=previewed["previewed"])
    )
    assert response.status_code == 200
    assert "The values changed after the preview" in response.content.decode()
    assert not Scorecard.objects.exists()


@pytest.mark.django_db
def test_saving_needs_a_reason(snapshots, admin_user):
    client = client_for(admin_user)
    previewed = client.post(URL, _post(_every_tier(), preview="")).context["note_form"].data["previewed"]
    response = client.post(URL, _post(_every_tier(), save="", note=" ", previewed=previewed))
    assert response.status_code == 400
    assert "Say why the scorecard changes" in response.content.decode()
    assert not Scorecard.objects.exists()
