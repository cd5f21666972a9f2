"""The unread count in the console's navigation."""

from functools import cache

from .models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if user is None or not user.is_authenticated or not user.is_vendor_staff:
        return {}
    if tenant is not None and not tenant.is_public:
        return {}

    @cache
    def unread() -> int:
        # Templates call this only where the count is shown, once per response.
        return Notification.objects.inbox(user).filter(read_at__isnull=True).count()

    return {"notifications_unread": unread}
