import pytest


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Return a function that asks for a sign-in e-mail and sends it, as the request's commit would."""

    def _ask(client, email, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/login/email/", {"email": email, **extra})

    return _ask


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID provider process for the whole session, knowing alpha's and beta's callback."""
    from django.conf import settings

    from tests.support.oidc import start_provider, stop_provider

    base = f"{settings.KEEL_SCHEME}://{{}}.{settings.KEEL_BASE_DOMAIN}:{settings.KEEL_PORT}/login/sso/callback/"
    uris = [base.format(slug) for slug in ("alpha", "beta")]
    provider = start_provider(uris)
    yield provider
    stop_provider(provider)
