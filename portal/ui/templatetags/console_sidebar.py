"""The console's side navigation, rendered once and kept under every input (portal/fragments.py).

It is the same on every console page but for the page it marks as current, and it was a fifth
of a console request (about 2 ms: fourteen links, each a URL, an icon and a translation). It is
kept under the language, the page (URL name and namespace), the viewer (id, name, e-mail and
whether they are a Keel admin, who sees the administration links), the tenant it names (if
any) and the script prefix its links start with. What changes between requests is put in on
the way out: the unread count (a query, as before) and the logout form's CSRF token.
"""

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from portal import fragments

register = template.Library()

# Where the unread badge goes in the kept HTML; letters only, never in a real page.
UNREAD_PLACEHOLDER = "keel-unread-badge-placeholder"


@register.simple_tag(takes_context=True)
def console_sidebar(context) -> SafeString:
    request = context["request"]
    user = context["user"]
    match = request.resolver_match
    here, app = (match.url_name, match.app_name) if match is not None else (None, None)
    tenant = context.get("current_tenant")
    parts = (
        get_language(),
        get_script_prefix(),
        here,
        app,
        user.pk,
        user.full_name,
        user.email,
        user.is_keel_admin,
        None if tenant is None else (tenant.pk, tenant.name),
    )

    def render() -> str:
        sidebar = {"user": user, "current_tenant": tenant, "here": here, "app": app}
        sidebar["unread_badge"] = UNREAD_PLACEHOLDER
        return render_to_string("console/_sidebar.html", fragments.fragment_context(sidebar))

    html = fragments.cached_fragment("console-sidebar", parts, render)
    unread = context.get("notifications_unread")
    count = unread() if callable(unread) else unread
    badge = (
        format_html(
            ' <span class="badge count">{}<span class="visually-hidden"> {}</span></span>',
            localize(count),
            gettext("unread"),
        )
        if count
        else ""
    )
    return mark_safe(fragments.with_csrf(html, request).replace(UNREAD_PLACEHOLDER, badge))  # noqa: S308
