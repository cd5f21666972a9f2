from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext
from django_tenants.admin import TenantAdminMixin

from .models import Domain, LifecycleStage, Tenant, TenantExport
from .services import tenant_provision


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class TenantAdminForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = "__all__"  # noqa: DJ007  (the admin's own field list decides what shows)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # Left empty, provisioning picks the defaults (settings.KEEL_TENANT_DEFAULT_*).
            for name in ("language", "time_zone"):
                if name in self.fields:
                    self.fields[name].required = False

    def clean_lifecycle_stage(self):
        stage = self.cleaned_data["lifecycle_stage"]
        before = self.instance.lifecycle_stage if self.instance.pk else LifecycleStage.ONBOARDING
        if LifecycleStage.CHURNED in (stage, before) and stage != before:
            # Churn is a dated event the churn rate counts: recorded (and so undone) as an event.
            raise forms.ValidationError(gettext("Record a churn (or reverse one) in the console's retention ledger."))
        return stage


@admin.register(Tenant)
class TenantAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = TenantAdminForm
    list_display = ["name", "slug", "tier", "lifecycle_stage", "csm", "renewal_date", "status", "ready"]
    list_filter = ["tier", "lifecycle_stage", "status", "ready"]
    search_fields = ["name", "slug"]
    inlines = [DomainInline]
    readonly_fields = ["schema_name", "ready", "storage_bytes", "storage_measured_at", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # The slug names the schema and the host: fixed once provisioned.
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # New tenants go through the provisioning service (schema, domain, audit).
        result = tenant_provision(
            actor=request.user,
            name=obj.name,
            slug=obj.slug,
            arr=obj.arr,
            tier=obj.tier if obj.tier_overridden else None,
            contract_start=obj.contract_start,
            renewal_date=obj.renewal_date,
            csm=obj.csm,
            language=obj.language,
            time_zone=obj.time_zone,
        )
        obj.pk = result.tenant.pk
        obj._state.adding = False
        messages.info(request, gettext("Provisioned in %(seconds)s s.") % {"seconds": format(result.seconds, ".2f")})

    def has_delete_permission(self, request, obj=None):
        return False  # deletion requires an export first: use the console

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect("../")


@admin.register(TenantExport)
class TenantExportAdmin(admin.ModelAdmin):
    list_display = ["tenant_slug", "created_at", "row_count", "size_bytes", "created_by"]
    readonly_fields = [f.name for f in TenantExport._meta.fields]

    def has_add_permission(self, request):
        return False
