"""A small, real OpenID Connect provider for the test suite: run as its own process on 127.0.0.1.

    python tests/support/oidc_provider.py --port 9000 --client-id keel --client-secret s3cret \
        --redirect-uri http://alpha.localhost:8000/login/sso/callback/

It speaks the protocol for real (discovery, authorization endpoint with a sign-in form, token
endpoint with client authentication, PKCE S256 and single-use codes, RS256 ID tokens signed with a
key published at its JWKS endpoint) so Keel's client is tested against HTTP, not a mock. It is
deliberately small: one confidential client, anyone may sign in by typing an e-mail address.

For negative tests, POST /_control {"mode": ...} makes the *next* ID token wrong in one way:
wrong_issuer, wrong_audience, wrong_nonce, bad_signature, expired. Keel must refuse each.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

MODES = {"", "wrong_issuer", "wrong_audience", "wrong_nonce", "bad_signature", "expired"}


class Provider:
    def __init__(self, *, issuer: str, client_id: str, client_secret: str, redirect_uris: list[str]):
        self.issuer = issuer
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uris = set(redirect_uris)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        # Same kid, another key: a token signed with it must fail the signature check.
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, dict] = {}
        self.used_codes: set[str] = set()
        self.mode = ""
        self.lock = threading.Lock()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def jwks(self) -> dict:
        return {"keys": [self.key.as_dict(private=False)]}

    def id_token(self, grant: dict) -> str:
        with self.lock:
            mode, self.mode = self.mode, ""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": hashlib.sha256(grant["email"].encode()).hexdigest()[:24],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "email": grant["email"],
            "email_verified": True,
            "name": grant["email"].split("@")[0].replace(".", " ").title(),
        }
        if mode == "wrong_issuer":
            claims["iss"] = "http://127.0.0.1:1/other"
        elif mode == "wrong_audience":
            claims["aud"] = "someone-else"
        elif mode == "wrong_nonce":
            claims["nonce"] = "not-the-nonce"
        elif mode == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        key = self.rogue_key if mode == "bad_signature" else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def make_handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's name)
            pass

        def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: dict):
            self._send(status, json.dumps(data).encode(), "application/json")

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                return json.loads(raw or "{}")
            return {k: v[0] for k, v in parse_qs(raw).items()}

        def do_GET(self):
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                return self._json(200, provider.discovery())
            if parts.path == "/jwks":
                return self._json(200, provider.jwks())
            if parts.path == "/authorize":
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                return self._authorize_form(params)
            return self._json(404, {"error": "not_found"})

        def _authorize_error(self, params: dict) -> str | None:
            if params.get("client_id") != provider.client_id:
                return "unknown client"
            if params.get("redirect_uri") not in provider.redirect_uris:
                return "redirect_uri is not registered"
            if params.get("response_type") != "code" or "openid" not in params.get("scope", "").split():
                return "only the code flow with the openid scope"
            if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
                return "PKCE with S256 is required"
            if not params.get("state") or not params.get("nonce"):
                return "state and nonce are required"
            return None

        def _authorize_form(self, params: dict):
            error = self._authorize_error(params)
            if error:
                return self._send(400, error.encode(), "text/plain")
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
            )
            page = (
                "<!doctype html><title>Test IdP</title><h1>Test identity provider</h1>"
                f'<form method="post" action="/authorize">{hidden}'
                '<label for="email">Work e-mail</label> <input id="email" name="email" type="email">'
                '<button type="submit">Continue</button></form>'
            )
            return self._send(200, page.encode(), "text/html; charset=utf-8")

        def do_POST(self):
            parts = urlsplit(self.path)
            form = self._form()
            if parts.path == "/authorize":
                return self._authorize(form)
            if parts.path == "/token":
                return self._token(form)
            if parts.path == "/_control":
                if form.get("mode", "") not in MODES:
                    return self._json(400, {"error": "unknown mode"})
                with provider.lock:
                    provider.mode = form.get("mode", "")
                return self._json(200, {"mode": provider.mode})
            return self._json(404, {"error": "not_found"})

        def _authorize(self, form: dict):
            error = self._authorize_error(form)
            if error or not form.get("email"):
                return self._send(400, (error or "e-mail required").encode(), "text/plain")
            code = secrets.token_urlsafe(24)
            with provider.lock:
                provider.codes[code] = {**form, "issued": time.time()}
            location = f"{form['redirect_uri']}?{urlencode({'code': code, 'state': form['state']})}"
            return self._send(302, b"", "text/plain", {"Location": location})

        def _client_ok(self, form: dict) -> bool:
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            else:
                client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
            return client_id == provider.client_id and secrets.compare_digest(secret, provider.client_secret)

        def _token(self, form: dict):
            if not self._client_ok(form):
                return self._json(401, {"error": "invalid_client"})
            if form.get("grant_type") != "authorization_code":
                return self._json(400, {"error": "unsupported_grant_type"})
            code = form.get("code", "")
            with provider.lock:
                grant = provider.codes.pop(code, None)
                replayed = code in provider.used_codes
                provider.used_codes.add(code)
            if grant is None or replayed or time.time() - grant["issued"] > 60:
                return self._json(400, {"error": "invalid_grant", "error_description": "unknown, used or old code"})
            if form.get("redirect_uri") != grant["redirect_uri"]:
                return self._json(400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"})
            if _s256(form.get("code_verifier", "")) != grant["code_challenge"]:
                return self._json(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
            return self._json(
                200,
                {
                    "access_token": secrets.token_urlsafe(24),
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(grant),
                },
            )

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True)
    args = parser.parse_args()
    issuer = f"http://127.0.0.1:{args.port}"
    provider = Provider(
        issuer=issuer, client_id=args.client_id, client_secret=args.client_secret, redirect_uris=args.redirect_uri
    )
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(provider))
    print(f"OIDC provider at {issuer}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
