"""Schemathesis against the in-process app, counting instead of stopping at the first failure.

Used by the bounded run in the normal suite (tests/security/test_api_fuzz.py) and by the long
run, ``make test-fuzz`` (KEEL_FUZZ_EXAMPLES examples per operation and auth, stateful links).
"""

import os
from dataclasses import dataclass, field

import hypothesis
import werkzeug
from hypothesis import HealthCheck
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

BASE_URL = "http://alpha.localhost"
HOST = "alpha.localhost"
# Any 32 alphanumerics is a valid CSRF secret: the same value in the cookie and the header.
CSRF_SECRET = "k" * 32
CHECKS = [status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance]


def examples(default: int) -> int:
    """Return the examples per operation: KEEL_FUZZ_EXAMPLES for the long run, else ``default``."""
    return int(os.environ.get("KEEL_FUZZ_EXAMPLES", default))


def hypothesis_settings(max_examples: int, **extra) -> hypothesis.settings:
    # Derandomised: every run sees the same cases (a failure reproduces; nothing flaps).
    return hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        **extra,
    )


@dataclass
class Tally:
    cases: int = 0
    server_errors: int = 0
    schema_violations: int = 0
    leaks: int = 0
    examples: list[str] = field(default_factory=list)

    def record(self, case, response, *, canary: str | None) -> None:
        self.cases += 1
        label = f"{case.method} {case.formatted_path} -> {response.status_code}"
        if response.status_code >= 500:
            self.server_errors += 1
            self._remember(f"server error: {label}")
        if canary and canary in response.text:
            self.leaks += 1
            self._remember(f"another tenant's data: {label}")
        try:
            case.validate_response(response, checks=CHECKS)
        except (Failure, FailureGroup, AssertionError) as exc:
            self.schema_violations += 1
            self._remember(f"schema violation: {label}: {str(exc)[:400]}")

    def _remember(self, line: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(line)

    @property
    def summary(self) -> str:
        return f"server_errors={self.server_errors} schema_violations={self.schema_violations}"


class Caller:
    """Calls the app as one principal: a browser session (cookie + CSRF) or an API key (header)."""

    def __init__(self, app, *, session_cookie: str | None = None, api_key: str | None = None):
        self.browser = werkzeug.Client(app)
        self.headers = {}
        if session_cookie:
            # Schemathesis would pin cookies to "localhost", which werkzeug does not send to a subdomain.
            self.browser.set_cookie("sessionid", session_cookie, domain=HOST)
            self.browser.set_cookie("csrftoken", CSRF_SECRET, domain=HOST)
            self.headers["X-CSRFToken"] = CSRF_SECRET
        if api_key:
            self.headers["Authorization"] = f"Bearer {api_key}"

    def call(self, case):
        headers = {**(case.headers or {}), **self.headers}
        return case.call(base_url=BASE_URL, session=self.browser, headers=headers)


def fuzz_operations(schema, caller: Caller, tally: Tally, *, max_examples: int, canary: str | None = None) -> None:
    """Run every operation of ``schema`` ``max_examples`` times as ``caller``."""
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis_settings(max_examples)
        def run(case):
            tally.record(case, caller.call(case), canary=canary)

        run()


def fuzz_stateful(schema, caller: Caller, tally: Tally, *, max_examples: int, canary: str | None = None) -> None:
    """Follow the schema's OpenAPI links (list -> detail -> task actions) as ``caller``."""
    base = schema.as_state_machine()

    class Machine(base):
        def call(self, case, **kwargs):
            return caller.call(case)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            tally.record(case, response, canary=canary)

    Machine.run(settings=hypothesis_settings(max_examples, stateful_step_count=6))
