"""Server-side length limits match the ones the pages state, and the message says the rule."""

import pytest
from django.core.exceptions import ValidationError

from metrics.qbr.forms import OutcomeForm, ReportNarrativeForm
from onboarding import services
from onboarding.models import Comment, Evidence
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def test_a_10000_character_kb_search_is_refused_and_not_echoed(tenant_a, member_a):
    response = client_for(member_a, tenant_a).get("/kb/search/", {"q": "a" * 10_000})
    assert response.status_code == 400
    assert "A search is at most 200 characters; this one has 10,000." in response.text
    assert "a" * 201 not in response.text


def test_a_200_character_kb_search_runs(tenant_a, member_a):
    assert client_for(member_a, tenant_a).get("/kb/search/", {"q": "a" * 200}).status_code == 200


def test_the_kb_search_api_refuses_a_10000_character_query(tenant_a, member_a):
    response = client_for(member_a, tenant_a).get("/api/v1/kb/search", {"q": "b" * 10_000})
    assert response.status_code == 400
    assert response.json()["errors"]["q"] == ["A search is at most 200 characters; this one has 10,000."]
    assert "b" * 201 not in response.text


def test_a_too_long_evidence_note_says_only_the_length_rule(tenant_a, member_a, plan):  # noqa: F811
    response = client_for(member_a, tenant_a).post(
        f"/onboarding/tasks/{plan['first'].pk}/evidence/", {"text": "n" * 10_000}
    )
    assert response.status_code == 400
    assert "at most 5000 characters (it has 10000)" in response.text
    assert "Attach a file or write a note." not in response.text


def test_services_refuse_over_long_notes_comments_and_instructions(tenant_a, csm_a, plan):  # noqa: F811
    with tenant_a:
        with pytest.raises(ValidationError, match="A note is at most 5,000 characters; this one has 5,001."):
            services.evidence_add(task=plan["first"], actor=csm_a, text="n" * 5001)
        with pytest.raises(ValidationError, match="A comment is at most 5,000 characters; this one has 6,000."):
            services.comment_add(task=plan["first"], actor=csm_a, body="c" * 6000)
        with pytest.raises(ValidationError, match="Instructions is at most 20,000 characters"):
            services.task_update(task=plan["first"], actor=csm_a, instructions="i" * 20_001)
        with pytest.raises(ValidationError, match="A title is at most 200 characters"):
            services.task_update(task=plan["first"], actor=csm_a, title="t" * 201)
        assert not Evidence.objects.exists() and not Comment.objects.exists()


def test_the_task_api_refuses_over_long_instructions(tenant_a, csm_a, plan):  # noqa: F811
    response = client_for(csm_a, tenant_a).patch(
        f"/api/v1/tasks/{plan['first'].pk}", {"instructions": "i" * 20_001}, content_type="application/json"
    )
    assert (
        response.status_code == 400 and "no more than 20000 characters" in response.json()["errors"]["instructions"][0]
    )


@pytest.mark.parametrize(
    ("form", "field", "limit"),
    [
        (ReportNarrativeForm, "summary", 20_000),
        (ReportNarrativeForm, "next_goals", 20_000),
        (OutcomeForm, "description", 2000),
    ],
)
def test_free_text_qbr_fields_have_a_limit(form, field, limit):
    bound = form(data={field: "x" * (limit + 1)})
    assert not bound.is_valid()
    assert f"at most {limit} characters" in bound.errors[field][0]
