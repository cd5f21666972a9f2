from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from .models import SETS_ARR, STARTS, ChurnReason, EventKind
from .periods import presets

DATE = forms.DateInput(attrs={"type": "date"})


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Event"), choices=EventKind.choices)
    occurred_on = forms.DateField(
        label=gettext_lazy("Date"), widget=DATE, help_text=gettext_lazy("The day it took effect; today or earlier.")
    )
    arr = forms.DecimalField(
        label=gettext_lazy("ARR after the event"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy(
            "Contract start, renewal, expansion, contraction and win-back: the yearly value from that day."
        ),
    )
    term_end = forms.DateField(
        label=gettext_lazy("Next renewal due"),
        required=False,
        widget=DATE,
        help_text=gettext_lazy("Contract start, renewal and win-back."),
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("Churn reason"), choices=[("", "—"), *ChurnReason.choices], required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kind, day = data.get("kind"), data.get("occurred_on")
        if day and day > timezone.localdate():
            self.add_error("occurred_on", gettext("An event cannot be dated in the future."))
        if kind in SETS_ARR and data.get("arr") is None:
            self.add_error("arr", gettext("Give the customer's ARR after this event."))
        if kind == EventKind.CHURN and not data.get("reason"):
            self.add_error("reason", gettext("Choose why the customer left."))
        term_end = data.get("term_end")
        if term_end and kind not in (*STARTS, EventKind.RENEWAL):
            self.add_error(
                "term_end", gettext("Only a contract start, renewal or win-back sets the next renewal date.")
            )
        if term_end and day and term_end <= day:
            self.add_error("term_end", gettext("The next renewal is due after the event."))
        return data


class ReverseForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=2000,
        help_text=gettext_lazy("Say what was wrong; the original entry stays visible."),
    )


class PeriodForm(forms.Form):
    """A reporting period: a preset, or two dates (which win when given)."""

    preset = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.presets = presets(self.today)
        choices = [(p.key, p.label) for p in self.presets] + [("custom", gettext("Custom dates"))]
        self.fields["preset"].choices = choices  # type: ignore[attr-defined]  # a ChoiceField

    def clean(self):
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start or end:
            if not (start and end):
                raise forms.ValidationError(gettext("Give both dates of a custom period, or choose a preset."))
            if start > end:
                self.add_error("end", gettext("The period must end on or after its start."))
            if end and end > self.today:
                self.add_error("end", gettext("A period cannot end in the future."))
            data["preset"] = "custom"
            return data
        chosen = next((p for p in self.presets if p.key == data.get("preset")), self.presets[0])
        data.update(preset=chosen.key, start=chosen.start, end=chosen.end)
        return data

    def period(self) -> tuple[date, date]:
        """Return (start, end): the valid choice, else the default preset."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.presets[0].start, self.presets[0].end


class KickoffForm(forms.Form):
    kickoff_on = forms.DateField(
        label=gettext_lazy("Kickoff"),
        required=False,
        widget=DATE,
        help_text=gettext_lazy("Time to value starts here. Leave empty to use the contract start."),
    )
