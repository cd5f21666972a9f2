from django import forms
from django.utils.translation import gettext, gettext_lazy

from portal.accounts.models import User

from .choices import EvidenceKind, OwnerSide


class CommentForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    internal = forms.BooleanField(label=gettext_lazy("Internal (vendor staff only)"), required=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(required=False, label=gettext_lazy("File"))
    text = forms.CharField(
        required=False, label=gettext_lazy("Or a note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        # A note refused for its length is not a missing note: say only what is wrong.
        if "text" not in self.errors and not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(gettext("Attach a file or write a note."))
        return data


def _assignee_field(users):
    return forms.ModelChoiceField(
        queryset=User.objects.filter(pk__in=[u.pk for u in users]), required=False, label=gettext("Assignee")
    )


class TaskEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    instructions = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 6}), help_text=gettext_lazy("Markdown.")
    )
    owner_side = forms.ChoiceField(choices=OwnerSide.choices, label=gettext_lazy("Owner side"))
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.ChoiceField(choices=EvidenceKind.choices, required=False, label=gettext_lazy("Required evidence"))
    read_confirm_ref = forms.CharField(
        required=False,
        max_length=40,
        label=gettext_lazy("Read and confirm"),
        help_text=gettext_lazy("A knowledge-base page the customer must confirm: article:<id> or page:<id>."),
    )

    def __init__(self, *args, assignable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = _assignee_field(assignable)
