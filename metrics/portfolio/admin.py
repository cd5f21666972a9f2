from django.contrib import admin

from .models import HealthSnapshot


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(admin.ModelAdmin):
    list_display = ["tenant", "day", "score", "band", "score_week_ago", "nps", "ttv_days", "computed_at"]
    list_filter = ["band"]
    readonly_fields = [f.name for f in HealthSnapshot._meta.fields]

    def has_add_permission(self, request):
        return False
