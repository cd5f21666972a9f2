"""Checks for pages served from the fragment cache (portal/fragments.py): a hit, and a change seen at once."""


def load(client, path: str):
    """GET ``path`` and require a 200."""
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return response


def rendered(response, template: str) -> bool:
    """Whether ``template`` was rendered for ``response`` (not served from the cache)."""
    return template in [t.name for t in response.templates]


def warm(client, path: str, *templates: str) -> str:
    """Load ``path`` twice: the first renders each of ``templates``, the second must come from the cache."""
    first = load(client, path)
    for template in templates:
        assert rendered(first, template), f"the first load did not render {template}"
    second = load(client, path)
    for template in templates:
        assert not rendered(second, template), f"the second load rendered {template} again: nothing is cached"
    return second.text
