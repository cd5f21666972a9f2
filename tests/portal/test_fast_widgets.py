"""portal/ui/widgets.py renders the same bytes as Django's widget templates."""

import pytest
from django import forms

from portal.ui import widgets

CHOICES = [("", "All"), ("a", "Ünïcode & <b>"), ("b", 'Quote "b"')]
OPTGROUPS = [("", "All"), ("Group <1>", [("x", "X"), ("y", "Y")])]


@pytest.mark.parametrize(
    ("fast", "plain", "value", "attrs"),
    [
        (widgets.Select(choices=CHOICES), forms.Select(choices=CHOICES), "a", {"id": "id_t"}),
        (widgets.Select(choices=CHOICES), forms.Select(choices=CHOICES), "", {"class": "x", "disabled": True}),
        (widgets.Select(choices=OPTGROUPS), forms.Select(choices=OPTGROUPS), "y", {"id": "id_g"}),
        (widgets.DateInput(attrs={"type": "date"}), forms.DateInput(attrs={"type": "date"}), "2026-01-02", {}),
        (widgets.DateInput(attrs={"type": "date"}), forms.DateInput(attrs={"type": "date"}), '"><script>', {}),
        (widgets.DateInput(), forms.DateInput(), None, {"required": True, "hidden": False}),
        (widgets.CheckboxInput(), forms.CheckboxInput(), True, {"id": "id_mine"}),
        (widgets.CheckboxInput(), forms.CheckboxInput(), False, {"id": "id_mine"}),
    ],
)
def test_fast_widgets_render_what_the_templates_render(fast, plain, value, attrs):
    assert fast.render("field", value, attrs=attrs) == plain.render("field", value, attrs=attrs)
