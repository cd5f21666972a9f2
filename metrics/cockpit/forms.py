from __future__ import annotations

from datetime import timedelta
from typing import cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from portal.accounts.models import User

from .models import HUMAN_OUTCOMES
from .rules import THRESHOLDS, default_thresholds


class BookFilterForm(forms.Form):
    csm: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=gettext_lazy("CSM"), empty_label=gettext_lazy("Everyone")
    )

    def __init__(self, *args, staff: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["csm"]).queryset = staff


class CtaCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=HUMAN_OUTCOMES, widget=forms.RadioSelect)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required unless resolved: what happened, what was decided."),
    )


class CtaSnoozeForm(forms.Form):
    until = forms.DateField(label=gettext_lazy("Snooze until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(max_length=300, label=gettext_lazy("Why it can wait"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"until": timezone.localdate() + timedelta(days=7)})
        super().__init__(*args, **kwargs)


class CtaReassignForm(forms.Form):
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=User.objects.none(), label=gettext_lazy("New owner"), empty_label=gettext_lazy("Choose a colleague")
    )

    def __init__(self, *args, staff: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = staff


class AccountNoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Name a colleague with @ and their e-mail (e.g. @ana@example.com) to tell them."),
    )


class RuleSettingForm(forms.Form):
    """The thresholds of one rule as number fields, plus its cooldown and playbook."""

    enabled = forms.BooleanField(required=False, label=gettext_lazy("Raise CTAs with this rule"))
    cooldown_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        label=gettext_lazy("Cooldown (days)"),
        help_text=gettext_lazy("Before a closed CTA may open again."),
    )
    playbook = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=gettext_lazy("Playbook steps"),
        help_text=gettext_lazy("One step per line; new CTAs of this rule get them as a checklist."),
    )

    def __init__(self, *args, rule: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        for key, limits in THRESHOLDS[rule].items():
            self.fields[f"t_{key}"] = forms.IntegerField(
                label=limits.label,
                min_value=limits.minimum,
                max_value=limits.maximum,
                help_text=gettext("Default %(value)s.") % {"value": default_thresholds(rule)[key]},
            )

    def thresholds(self) -> dict[str, int]:
        return {key[2:]: value for key, value in self.cleaned_data.items() if key.startswith("t_")}
