from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext

from .models import Playbook, PlaybookPhase, PlaybookTask


class PhaseInline(admin.TabularInline):
    model = PlaybookPhase
    extra = 0
    show_change_link = True


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ["name", "default_for_tier", "version", "updated_at"]
    inlines = [PhaseInline]

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1  # running checklists keep the version they were copied from
        super().save_model(request, obj, form, change)


class TaskInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        phase = self.instance
        marked = [f for f in self.forms if f.cleaned_data.get("is_first_value") and not f.cleaned_data.get("DELETE")]
        others = PlaybookTask.objects.filter(phase__playbook=phase.playbook, is_first_value=True).exclude(phase=phase)
        if len(marked) + others.count() > 1:
            raise ValidationError(gettext("A playbook has exactly one first-value milestone."))


class TaskInline(admin.StackedInline):
    model = PlaybookTask
    formset = TaskInlineFormSet
    extra = 0
    filter_horizontal = ["depends_on"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "depends_on" and request.resolver_match.kwargs.get("object_id"):
            # Only tasks of the same playbook can be prerequisites.
            phase = PlaybookPhase.objects.filter(pk=request.resolver_match.kwargs["object_id"]).first()
            if phase is not None:
                kwargs["queryset"] = PlaybookTask.objects.filter(phase__playbook=phase.playbook)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(PlaybookPhase)
class PlaybookPhaseAdmin(admin.ModelAdmin):
    list_display = ["title", "playbook", "position"]
    list_filter = ["playbook"]
    inlines = [TaskInline]
