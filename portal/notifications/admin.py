from django.contrib import admin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "channel", "address", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["dedupe_key", "address", "subject", "topic"]
    raw_id_fields = ["recipient", "tenant", "digest"]

    # The outbox is written by services and workers only: an edit here could send twice.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "digest", "task_reminders", "webhook_url"]
    raw_id_fields = ["user"]
