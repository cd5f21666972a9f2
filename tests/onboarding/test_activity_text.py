"""Activity lines are stored with their figures and read in each reader's language."""

import pytest
from django.utils.translation import override

from onboarding.activity import TEXTS, activity_summary, activity_text
from onboarding.models import Activity
from tests.support.english import english_in

FIGURES = {
    "checklist.started": {"playbook": "安全运营平台上线"},
    "checklist.completed": {},
    "checklist.first_value": {"days": 12},
    "checklist.stalled": {"title": "部署探针", "overdue_days": 3, "idle_days": 9},
    "checklist.unstalled": {"days": 1, "reason": "progress"},
    "task.added": {"title": "部署探针"},
    "task.completed": {"title": "部署探针"},
    "task.reopened": {"title": "部署探针"},
    "task.updated": {"title": "部署探针", "fields": ["due_date", "assignee"]},
    "comment.added": {"title": "部署探针", "internal": True},
    "evidence.added": {"title": "部署探针", "file": "资产清单.csv"},
}


@pytest.mark.pure
def test_every_kind_of_activity_has_figures_here():
    assert set(FIGURES) == set(TEXTS)


@pytest.mark.pure
@pytest.mark.parametrize("verb", sorted(FIGURES))
def test_each_line_is_stored_in_english_and_read_in_chinese(verb):
    data = {"internal": False, **FIGURES[verb]}
    english = activity_summary(verb, data)
    assert english and english_in(f"<p>{english}</p>")  # the stored line is English
    row = Activity(verb=verb, data=FIGURES[verb], summary=english, internal=data.get("internal", False))
    with override("zh-hans"):
        assert english_in(f"<p>{activity_text(row)}</p>") == []
    with override("en"):
        assert activity_text(row) == activity_summary(verb, {**data, "internal": row.internal})


@pytest.mark.pure
def test_figures_and_plurals_read_right_in_english():
    assert activity_summary("checklist.first_value", {"days": 1}) == "First value reached after 1 day"
    assert activity_summary("task.updated", {"title": "Deploy", "fields": ["due_date", "title"]}) == (
        "Changed due date, title of “Deploy”"
    )
    assert activity_summary("evidence.added", {"title": "Deploy", "file": ""}) == "Note added to “Deploy”"
    assert activity_summary("comment.added", {"title": "Deploy", "internal": True}) == "Internal note on “Deploy”"
    with override("zh-hans"):
        row = Activity(verb="task.updated", data={"title": "部署", "fields": ["due_date", "title"]})
        assert activity_text(row) == "修改了“部署”的截止日期、标题"


@pytest.mark.pure
def test_a_line_written_before_its_figures_were_kept_shows_its_stored_text():
    old = Activity(verb="task.completed", data={}, summary="Completed “Deploy”")
    with override("zh-hans"):
        assert activity_text(old) == "Completed “Deploy”"
    assert activity_text(Activity(verb="something.new", data={}, summary="Said once")) == "Said once"
