from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext

from .models import ChurnEvent, HealthSnapshot
from .services import tenant_churn_record


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(admin.ModelAdmin):
    list_display = ["tenant", "day", "score", "band", "score_week_ago", "nps", "ttv_days", "computed_at"]
    list_filter = ["band"]
    readonly_fields = [f.name for f in HealthSnapshot._meta.fields]

    def has_add_permission(self, request):
        return False


class ChurnEventForm(forms.ModelForm):
    class Meta:
        model = ChurnEvent
        fields = ["tenant", "churned_on"]

    def clean_churned_on(self):
        churned_on = self.cleaned_data["churned_on"]
        if churned_on > timezone.localdate():
            raise forms.ValidationError(gettext("A churn date cannot be in the future."))
        return churned_on


@admin.register(ChurnEvent)
class ChurnEventAdmin(admin.ModelAdmin):
    """Adding a churn event here is how a customer is marked lost: it goes through the service."""

    form = ChurnEventForm
    list_display = ["tenant_slug", "customer_since", "churned_on", "recorded_at"]

    def has_change_permission(self, request, obj=None):
        return False  # a record of the past: correct it by deleting and recording again

    def save_model(self, request, obj, form, change):
        event = tenant_churn_record(tenant=obj.tenant, churned_on=obj.churned_on, actor=request.user)
        obj.pk = event.pk
        obj._state.adding = False
