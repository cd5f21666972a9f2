from django.contrib import admin

from .models import ApiKey, ChurnEvent, HealthSnapshot


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Read-only: keys are created (shown once) and revoked from the console, with an audit row."""

    list_display = ["name", "tenant", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = [f.name for f in ApiKey._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(admin.ModelAdmin):
    list_display = ["tenant", "day", "score", "band", "score_week_ago", "nps", "ttv_days", "computed_at"]
    list_filter = ["band"]
    readonly_fields = [f.name for f in HealthSnapshot._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ChurnEvent)
class ChurnEventAdmin(admin.ModelAdmin):
    list_display = ["tenant_slug", "customer_since", "churned_on", "recorded_at"]
