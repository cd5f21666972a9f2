"""Rate limits per tenant and caller: one noisy user cannot starve an account or its neighbours."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class TenantUserRateThrottle(SimpleRateThrottle):
    scope = "tenant_user"

    def get_rate(self):
        # Read at call time (not class creation) so configuration changes take effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        tenant = getattr(request, "tenant", None)
        schema = tenant.schema_name if tenant is not None else "-"
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_api_key", False):
            ident = f"k{user.key.pk}"  # each key its own budget (a key principal has no user pk)
        elif user is not None and user.is_authenticated:
            ident = f"u{user.pk}"
        else:
            ident = f"ip{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": f"{schema}:{ident}"}
