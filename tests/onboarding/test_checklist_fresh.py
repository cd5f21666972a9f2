"""The checklist's board is cached (onboarding/views.py), and never stale.

Each test loads the page, so the board is rendered and kept, checks that a second load comes
from the cache, changes one thing the board shows (through a service, a queryset update or a
bare insert: the version moves in the database whoever writes), and loads it again with the
same session: the change shows at once.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client

from onboarding import services
from onboarding.models import Activity, Checklist, Comment, Evidence, Phase, Task
from portal.accounts.models import Membership, MembershipRole, User
from portal.tenancy.models import Tenant
from tests.support import fragments
from tests.support.clients import client_for, host_of
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

BOARD = "onboarding/_board.html"


def _load(client, path="/onboarding/"):
    return fragments.load(client, path)


def _rendered_board(response) -> bool:
    return fragments.rendered(response, BOARD)


def _warm(client, path="/onboarding/"):
    """Load twice: the first renders the board, the second must be served from the cache."""
    return fragments.warm(client, path, BOARD)


def _version(tenant, checklist) -> int:
    with tenant:
        return Checklist.objects.values_list("version", flat=True).get(pk=checklist.pk)


def test_the_second_load_is_cached_and_runs_fewer_queries(tenant_a, member_a, plan, django_assert_max_num_queries):
    client = client_for(member_a, tenant_a)
    _load(client)
    # The request's own 5 (two SET search_path, the domain and tenant, the session, the user),
    # the layout's NPS check, and the checklist with its versions: no task, phase or activity.
    with django_assert_max_num_queries(7):
        assert not _rendered_board(_load(client))


def test_a_completed_task_shows_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert "0%</strong> done — 0 of 4 tasks" in _warm(client)
    assert client.post(f"/onboarding/tasks/{plan['first'].pk}/complete/").status_code == 302
    html = _load(client).text
    assert "25%</strong> done — 1 of 4 tasks" in html
    assert "Waiting on" not in html  # the next task unlocked too


def test_a_task_changed_by_a_queryset_update_shows_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert "Renamed step" not in _warm(client)
    with tenant_a:
        Task.objects.filter(pk=plan["first"].pk).update(title="Renamed step")
    assert "Renamed step" in _load(client).text


def test_a_new_and_a_deleted_comment_show_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert "1 comment<" not in _warm(client)
    with tenant_a:
        comment = Comment.objects.create(task=plan["first"], body="Done on our side?")
    assert "1 comment<" in _load(client).text
    with tenant_a:
        Comment.objects.filter(pk=comment.pk).delete()
    assert "1 comment<" not in _load(client).text


def test_an_assignment_and_the_assignees_new_name_show_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert "Assignee: Rosa Diaz" not in _warm(client)
    assert f'id="task-{plan["vendor"].pk}"' not in _warm(client, "/onboarding/?view=mine")
    rosa = UserFactory(full_name="Rosa Diaz")
    with tenant_a:
        Task.objects.filter(pk=plan["first"].pk).update(assignee=rosa)
    assert "Assignee: Rosa Diaz" in _load(client).text
    # The user row is in the public schema: a rename moves the names' version.
    User.objects.filter(pk=rosa.pk).update(full_name="Rosa Díaz-Holt")
    html = _load(client).text
    assert "Assignee: Rosa Díaz-Holt" in html and "Rosa Diaz<" not in html
    # Assigned to the viewer: "My tasks" lists it at once.
    with tenant_a:
        Task.objects.filter(pk=plan["vendor"].pk).update(assignee=member_a)
    assert f'id="task-{plan["vendor"].pk}"' in _load(client, "/onboarding/?view=mine").text


def test_the_tenant_and_its_csm_in_waiting_lines_show_at_once(tenant_a, member_a, plan, csm_a):
    with tenant_a:
        plan["second"].depends_on.add(plan["vendor"])  # waits on the vendor (the CSM) too
    client = client_for(member_a, tenant_a)
    html = _warm(client)
    assert f"Waiting on {tenant_a.name}: " in html and f"Waiting on {csm_a.full_name}: " in html
    Tenant.objects.filter(pk=tenant_a.pk).update(name="Alpha Renamed")
    User.objects.filter(pk=csm_a.pk).update(full_name="Casey New")
    html = _load(client).text
    assert "Waiting on Alpha Renamed: " in html and "Waiting on Casey New: " in html
    Tenant.objects.filter(pk=tenant_a.pk).update(csm=None)
    assert "Waiting on the vendor: " in _load(client).text


def test_a_prerequisite_removed_unlocks_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert "(locked)" in _warm(client)
    with tenant_a:
        plan["second"].depends_on.clear()
    assert "(locked)" not in _load(client).text


def test_a_role_change_shows_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert 'href="/settings/"' not in _warm(client)
    Membership.objects.filter(user=member_a, tenant=tenant_a).update(role=MembershipRole.CUSTOMER_ADMIN)
    assert 'href="/settings/"' in _load(client).text
    Membership.objects.filter(user=member_a, tenant=tenant_a).delete()
    assert client.get("/onboarding/").status_code == 404


def test_each_role_gets_its_own_board(tenant_a, member_a, csm_a, plan):
    """Staff see the vendor's buttons and internal comments; a customer's cached board must not."""
    with tenant_a:
        Comment.objects.create(task=plan["vendor"], body="Between us", internal=True)
    staff = client_for(csm_a, tenant_a)
    staff_html = _warm(staff)
    assert f"/onboarding/tasks/{plan['vendor'].pk}/complete/" in staff_html and "1 comment<" in staff_html
    customer_html = _load(client_for(member_a, tenant_a)).text
    assert f"/onboarding/tasks/{plan['vendor'].pk}/complete/" not in customer_html
    assert "1 comment<" not in customer_html


def test_the_language_shows_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert "Your next step" in _warm(client)
    User.objects.filter(pk=member_a.pk).update(language="zh-hans")
    html = _load(client).text
    assert "你的下一步" in html and "Your next step" not in html
    assert "已完成 <strong>0%</strong> — 4 项任务中完成 0 项" in html


def test_a_task_becomes_overdue_when_the_date_passes(tenant_a, member_a, plan):
    with tenant_a:
        Task.objects.filter(pk=plan["first"].pk).update(due_date=date(2026, 3, 10))
    User.objects.filter(pk=member_a.pk).update(time_zone="UTC")
    client = client_for(member_a, tenant_a)
    # Two minutes before midnight, then two after: well within any expiry of the cached board.
    with time_machine.travel(datetime(2026, 3, 10, 23, 58, tzinfo=UTC), tick=False) as clock:
        assert "Overdue" not in _warm(client)
        clock.shift(timedelta(minutes=4))
        assert "Overdue" in _load(client).text


def test_a_new_time_zone_moves_today_at_once(tenant_a, member_a, plan):
    with tenant_a:
        Task.objects.filter(pk=plan["first"].pk).update(due_date=date(2026, 3, 10))
    User.objects.filter(pk=member_a.pk).update(time_zone="UTC")
    client = client_for(member_a, tenant_a)
    # 23:30 on the 10th in UTC is already the 11th in Shanghai.
    with time_machine.travel(datetime(2026, 3, 10, 23, 30, tzinfo=UTC), tick=False):
        assert "Overdue" not in _warm(client)
        User.objects.filter(pk=member_a.pk).update(time_zone="Asia/Shanghai")
        assert "Overdue" in _load(client).text


def test_a_cached_board_carries_each_sessions_own_csrf_token(tenant_a, member_a, plan):
    """The board is shared by the viewer's sessions; the token in its forms is each session's."""
    client_for(member_a, tenant_a).get("/onboarding/")  # another session renders and caches it
    client = Client(HTTP_HOST=host_of(tenant_a), enforce_csrf_checks=True)
    with tenant_a:
        client.force_login(member_a)
    response = _load(client)
    assert not _rendered_board(response)
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text))
    assert tokens and "keel-csrf-placeholder" not in response.text
    token = tokens.pop()
    done = client.post(f"/onboarding/tasks/{plan['first'].pk}/complete/", {"csrfmiddlewaretoken": token})
    assert done.status_code == 302


# --- the version itself: every write to what the board shows moves it --------------------------
def _touch_operations(plan, user):
    first, second = plan["first"], plan["second"]
    return {
        "checklist update": lambda: Checklist.objects.filter(pk=plan["checklist"].pk).update(name="New name"),
        "phase update": lambda: Phase.objects.filter(pk=first.phase_id).update(title="New phase"),
        "task insert": lambda: Task.objects.create(checklist=plan["checklist"], phase=first.phase, key="k", title="T"),
        "task update": lambda: Task.objects.filter(pk=first.pk).update(position=99),
        "task delete": lambda: Task.objects.filter(pk=plan["proof"].pk).delete(),
        "comment insert": lambda: Comment.objects.create(task=first, body="x"),
        "evidence insert": lambda: Evidence.objects.create(task=first, text="proof"),
        "prerequisite added": lambda: first.depends_on.add(plan["vendor"]),
        "prerequisite removed": lambda: second.depends_on.remove(first),
        "activity insert": lambda: Activity.objects.create(checklist=plan["checklist"], verb="x", summary="x"),
        "service": lambda: services.comment_add(task=first, actor=user, body="Hello"),
    }


@pytest.mark.parametrize(
    "operation",
    [
        "checklist update",
        "phase update",
        "task insert",
        "task update",
        "task delete",
        "comment insert",
        "evidence insert",
        "prerequisite added",
        "prerequisite removed",
        "activity insert",
        "service",
    ],
)
def test_every_write_on_the_checklist_moves_its_version(tenant_a, member_a, plan, operation):
    before = _version(tenant_a, plan["checklist"])
    with tenant_a:
        _touch_operations(plan, member_a)[operation]()
    assert _version(tenant_a, plan["checklist"]) != before


def test_a_rolled_back_version_is_never_handed_out_again(tenant_a, plan):
    """A version seen inside a transaction that rolled back must not name other content later."""
    with tenant_a:
        seen = []

        def change_and_fail():
            with transaction.atomic():
                Task.objects.filter(pk=plan["first"].pk).update(title="Never committed")
                seen.append(Checklist.objects.values_list("version", flat=True).get(pk=plan["checklist"].pk))
                raise RuntimeError

        with pytest.raises(RuntimeError):
            change_and_fail()
        rolled_back = seen[0]
        Task.objects.filter(pk=plan["first"].pk).update(title="Committed")
        assert Checklist.objects.values_list("version", flat=True).get(pk=plan["checklist"].pk) != rolled_back


def test_the_version_triggers_act_on_the_schema_of_the_table_written(tenant_a, tenant_b, plan):
    """Writing tenant A's table with B's search_path still moves A's checklist (TG_TABLE_SCHEMA)."""
    before = _version(tenant_a, plan["checklist"])
    table = f'"{tenant_a.schema_name}".onboarding_task'
    with tenant_b, connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET position = 7 WHERE id = %s", [plan["first"].pk])  # noqa: S608
    assert _version(tenant_a, plan["checklist"]) != before
