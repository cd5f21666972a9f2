import pytest


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Return a function that asks for a sign-in e-mail and sends it, as the request's commit would."""

    def _ask(client, email, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/login/email/", {"email": email, **extra})

    return _ask
