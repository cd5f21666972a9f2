from typing import cast

from django import forms
from django.utils.translation import gettext_lazy

from portal.accounts.access import tenants_visible_to
from portal.tenancy.models import Tenant, Tier

from .models import Category, DocumentStatus, Visibility

MARKDOWN_HELP = gettext_lazy(
    "Markdown: **bold**, _italic_, [links](https://…), lists, tables, code. HTML is shown as text."
)


class DocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    slug = forms.SlugField(
        max_length=80,
        required=False,
        label=gettext_lazy("Address"),
        help_text=gettext_lazy("Part of the page's URL. Empty: made from the title."),
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        max_length=450,
        required=False,
        help_text=gettext_lazy("Comma-separated, e.g. sso, deployment."),
    )
    body_markdown = forms.CharField(
        label=gettext_lazy("Body"), required=False, widget=forms.Textarea(attrs={"rows": 18}), help_text=MARKDOWN_HELP
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=DocumentStatus.choices, initial=DocumentStatus.DRAFT
    )
    note = forms.CharField(
        max_length=300,
        required=False,
        label=gettext_lazy("What changed"),
        help_text=gettext_lazy("Kept in the revision history."),
    )


class ArticleForm(DocumentForm):
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.all(), empty_label=gettext_lazy("Choose a category")
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Visibility"), choices=Visibility.choices, widget=forms.RadioSelect, initial=Visibility.ALL
    )
    tiers = forms.MultipleChoiceField(
        label=gettext_lazy("Tiers"),
        choices=Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("For “chosen tiers”."),
    )
    tenants = forms.ModelMultipleChoiceField(
        queryset=Tenant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Customers"),
        help_text=gettext_lazy("For “named customers”."),
    )

    field_order = ["title", "category", "slug", "tags", "body_markdown", "status", "visibility", "tiers", "tenants"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["tenants"]).queryset = tenants_visible_to(user)


class PageForm(DocumentForm):
    pass


class CategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)
    position = forms.IntegerField(
        label=gettext_lazy("Position"),
        min_value=0,
        max_value=32767,
        initial=100,
        help_text=gettext_lazy("Lower comes first."),
    )


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes")
