"""Start the test OpenID provider (tests/support/oidc_provider.py) as a real process on 127.0.0.1."""

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

PROVIDER = Path(__file__).with_name("oidc_provider.py")
CLIENT_ID = "keel-test-client"
CLIENT_SECRET = "keel-test-secret-0123456789"  # noqa: S105 (the test provider's, nowhere else)


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen

    def set_mode(self, mode: str) -> None:
        """Make the provider's next ID token wrong in one way (see oidc_provider.MODES)."""
        requests.post(f"{self.issuer}/_control", json={"mode": mode}, timeout=5).raise_for_status()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_provider(redirect_uris: list[str]) -> RunningProvider:
    port = _free_port()
    args = [sys.executable, str(PROVIDER), "--port", str(port), "--client-id", CLIENT_ID]
    args += ["--client-secret", CLIENT_SECRET]
    for uri in redirect_uris:
        args += ["--redirect-uri", uri]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).raise_for_status()
            return RunningProvider(issuer=issuer, process=process)
        except requests.RequestException:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                _, err = process.communicate(timeout=5)
                raise RuntimeError(f"The test OpenID provider did not start:\n{err.decode()}") from None
            time.sleep(0.1)


def stop_provider(provider: RunningProvider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        provider.process.kill()
