"""Messages written in Python reach people in their language."""

import ast
import csv
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from portal.accounts.models import MembershipRole
from portal.accounts.services import invitation_create
from portal.tenancy.clock import tenant_today
from portal.tenancy.services import tenant_provision
from tests.support.clients import client_for

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGES = ("portal", "onboarding", "metrics")
# Operator-facing (command output) and wiring (demo seed data, settings) are not translated.
SKIPPED = ("/management/", "/migrations/", "portal/demo/", "portal/settings/")
# Exceptions whose message a person or a program reads (a page, the API's problem details).
MESSAGE_CALLS = {
    "ValidationError",
    "AccessDenied",
    "PermissionDenied",
    "ParseError",
    "AuthenticationFailed",
    "PayloadTooLarge",
}
MESSAGE_FUNCS = {"success", "error", "info", "warning"}
# Keyword arguments whose text a page shows: form labels and help, a select's empty choice, a KPI's detail.
# Models are left out (their help_text is the Django admin's), and so are the API modules (OpenAPI
# descriptions are for developers).
DISPLAY_KEYWORDS = {"label", "empty_label", "help_text", "detail"}
DISPLAY_SKIPPED = ("/models.py", "/models/", "/api.py")


def _is_text(node) -> bool:
    """A string literal or f-string with words in it (not "" nor a bare placeholder)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and any(c.isalpha() for c in str(v.value)) for v in node.values)
    return False


def _error_lists(node, rel: str):
    """Row errors built by hand: ``errors["field"] = ["…"]`` and ``{"non_field_errors": ["…"]}``."""
    lists = []
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Subscript) and getattr(t.value, "id", "") == "errors" for t in node.targets
    ):
        lists.append(node.value)
    if isinstance(node, ast.Dict):
        lists += [
            value
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and key.value == "non_field_errors"
        ]
    for value in lists:
        for item in value.elts if isinstance(value, ast.List) else [value]:
            if _is_text(item):
                yield f"{rel}:{item.lineno}"


def _literal_messages():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if any(part in f"/{rel}" for part in SKIPPED):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                yield from _error_lists(node, rel)
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
                for keyword in node.keywords:  # forms.CharField(label="Name"), Row(detail=f"{n} customers")
                    if (
                        keyword.arg in DISPLAY_KEYWORDS
                        and _is_text(keyword.value)
                        and not any(part in f"/{rel}" for part in DISPLAY_SKIPPED)
                    ):
                        yield f"{rel}:{keyword.value.lineno}"
                if name in MESSAGE_CALLS and node.args:
                    candidates = [node.args[0]]
                elif len(node.args) > 1 and (
                    (owner == "messages" and name in MESSAGE_FUNCS) or name == "add_error"  # form.add_error(field, "…")
                ):
                    candidates = [node.args[1]]
                else:
                    continue
                for candidate in candidates:
                    values = candidate.values if isinstance(candidate, ast.Dict) else [candidate]
                    for value in values:
                        if isinstance(value, (ast.JoinedStr, ast.Constant)) and not (
                            isinstance(value, ast.Constant) and not isinstance(value.value, str)
                        ):
                            yield f"{rel}:{value.lineno}"


@pytest.mark.pure
def test_no_error_or_flash_message_is_a_bare_string():
    assert list(_literal_messages()) == []


def test_a_service_error_speaks_the_active_language(admin_user):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        tenant_provision(actor=admin_user, name="X", slug="x")
    assert caught.value.message_dict["slug"] == ["请使用 3–40 个小写字母、数字或连字符，并以字母开头。"]


def test_a_form_error_on_a_page_is_in_the_users_language(shanghai_a, customer_admin_a):
    response = client_for(customer_admin_a, shanghai_a).post(
        "/team/", {"email": customer_admin_a.email, "role": MembershipRole.CUSTOMER_MEMBER}
    )
    assert response.status_code == 400
    assert "已经是 Alpha Corp 的成员" in response.content.decode()


def test_the_api_says_what_is_wrong_in_the_users_language(shanghai_a, member_a):
    response = client_for(member_a, shanghai_a).get("/api/v1/kb/search")
    assert response.status_code == 400
    assert "请说明要搜索的内容" in response.content.decode()


def test_the_invitation_email_is_in_the_tenants_language(
    shanghai_a, customer_admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            tenant=shanghai_a, email="new@example.com", role=MembershipRole.CUSTOMER_MEMBER, actor=customer_admin_a
        )
    assert mail.outbox[-1].subject == "您受邀加入 Keel 上的 Alpha Corp"


def test_the_qbr_csv_header_is_translated(shanghai_a, csm_a):
    from metrics.qbr.services import report_create

    with shanghai_a:
        report = report_create(actor=csm_a, day=tenant_today(shanghai_a))
    response = client_for(csm_a, shanghai_a).get(f"/reviews/{report.pk}/csv/")
    assert response.status_code == 200, response.status_code
    header = next(csv.reader(io.StringIO(response.content.decode())))
    assert header == ["部分", "指标", "期间", "数值", "单位"]
