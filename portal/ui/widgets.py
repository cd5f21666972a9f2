"""Form widgets that build their HTML in Python: the same markup as Django's widget templates.

Django renders every widget, and every option of a select, through its template engine; on a
page that is otherwise cheap (the console portfolio's filter bar: three selects, two dates and
a checkbox) that was an eighth of the request. These produce the bytes of Django's
``django/forms/widgets/{input,select,select_option,attrs}.html`` for plain inputs and selects
(tests/portal/test_fast_widgets.py compares them with the templates' output).
"""

from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    return (
        f'<input type="{widget["type"]}" name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def _select(widget: dict[str, Any]) -> str:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _ in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        out.extend(
            f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
            f"{conditional_escape(option['label'])}</option>\n"  # the option template ends in a newline
            for option in group_choices
        )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class _PythonRendered:
    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        widget = context["widget"]
        html = _select(widget) if "optgroups" in widget else _input(widget)
        return mark_safe(html)  # noqa: S308 (every value above is escaped)


class Select(_PythonRendered, forms.Select):
    pass


class DateInput(_PythonRendered, forms.DateInput):
    pass


class CheckboxInput(_PythonRendered, forms.CheckboxInput):
    pass
