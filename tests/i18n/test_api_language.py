"""The API answers programs in the language they ask for, else English; its messages are translated."""

import json

import pytest

from metrics.ingest.models import ApiKey
from tests.support.clients import key_client
from tests.support.english import english_in
from tests.support.factories import ApiKeyFactory

BAD_EVENTS = [
    {"feature": {}, "user": "u1", "timestamp": "2026-11-20T09:30:00Z"},
    {"feature": "alerts.triage", "user": "u1", "timestamp": "2026-11-20T09:30:00"},
    {"feature": "探针", "user": "a\x00b", "timestamp": "昨天", "quantity": -1},
    "not an object",
]


@pytest.fixture
def chinese_key(shanghai_a) -> str:
    return ApiKeyFactory(tenant=shanghai_a).secret


def _post(client, body, **headers):
    return client.post("/api/v1/events", json.dumps(body), content_type="application/json", **headers)


def _messages(problem: dict) -> list[str]:
    rows = [m for row in problem["errors"] for messages in row["errors"].values() for m in messages]
    return [problem["detail"], *rows]


def test_a_program_without_a_language_gets_english_whatever_the_tenant_reads(shanghai_a, chinese_key):
    response = _post(key_client(shanghai_a, chinese_key), BAD_EVENTS)
    assert response.status_code == 400
    assert response["Content-Language"] == "en"
    messages = _messages(response.json())
    assert messages[0] == "No row was valid, so nothing was stored; errors lists the 4 rows by index."
    assert "Must be a string, not an object." in messages


def test_a_program_asking_for_chinese_gets_every_message_in_chinese(shanghai_a, chinese_key):
    response = _post(key_client(shanghai_a, chinese_key), BAD_EVENTS, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 400
    assert response["Content-Language"] == "zh-hans"
    messages = _messages(response.json())
    assert messages[0] == "没有任何一行有效，因此未存储任何数据；errors 按序号列出了这 4 行。"
    assert "必须是字符串，而不是对象。" in messages
    assert len(messages) >= 6
    fields = {"errors", "feature", "user", "timestamp", "quantity", "idempotency_key"}  # JSON names: codes
    for message in messages:
        assert english_in(f"<p>{message}</p>", allowed=fields) == [], message


def test_a_bad_key_is_refused_in_the_language_asked_for(shanghai_a, chinese_key):
    assert ApiKey.objects.exists()
    refused = key_client(shanghai_a, "wrong").get("/api/v1/ctas", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "此账户的 API 密钥无效或已撤销。"
