"""A QBR as a PowerPoint deck (python-pptx): the PDF's sections, native charts a CSM can edit.

Charts are PowerPoint chart objects with their data embedded (PowerPoint, Keynote and WPS open
and edit them), not pictures. Missing days are gaps in the line, as on the web page.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.util import Inches, Pt

from metrics.templatetags.kpi import band_label

INK = RGBColor(0x17, 0x20, 0x2A)
MUTED = RGBColor(0x54, 0x5F, 0x6B)
ACCENT = RGBColor(0x0B, 0x5C, 0xAD)
FONT = "DejaVu Sans"
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.6)


def _text(
    slide: Any, text: str, *, top: int, height: int, size: int, bold: bool = False, colour: RGBColor = INK
) -> Any:
    box = slide.shapes.add_textbox(MARGIN, top, WIDTH - 2 * MARGIN, height)
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    run.font.color.rgb = colour
    return frame


def _bullets(frame: Any, lines: list[str], *, size: int = 16) -> None:
    for line in lines:
        paragraph = frame.add_paragraph()
        run = paragraph.add_run()
        run.text = f"• {line}"
        run.font.size, run.font.name = Pt(size), FONT
        run.font.color.rgb = INK


def _section(deck: Any, title: str, lines: list[str]) -> Any:
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
    _text(slide, title, top=Inches(0.4), height=Inches(0.8), size=28, bold=True, colour=_accent(deck))
    body = _text(slide, lines[0] if lines else "", top=Inches(1.3), height=Inches(1.2), size=16)
    _bullets(body, lines[1:])
    return slide


def _accent(deck: Any) -> RGBColor:
    """The customer's accent colour (Tenant.brand_accent), kept in the deck's core properties."""
    colour = deck.core_properties.keywords
    return RGBColor.from_string(colour[1:]) if colour.startswith("#") else ACCENT


def _line(slide: Any, series: list[list[Any]], name: str, accent: RGBColor) -> None:
    data = CategoryChartData()
    data.categories = [date.fromisoformat(day) for day, _ in series]
    data.add_series(name, [value for _, value in series])  # None: a gap for a day without data
    frame = slide.shapes.add_chart(XL_CHART_TYPE.LINE, MARGIN, Inches(2.6), WIDTH - 2 * MARGIN, Inches(4.5), data)
    chart = frame.chart
    chart.has_legend = False
    chart.font.name, chart.font.size = FONT, Pt(11)
    plot = chart.plots[0]
    line = plot.series[0]
    line.format.line.color.rgb = accent
    line.format.line.width = Pt(2)
    line.smooth = False
    line.marker.style = XL_MARKER_STYLE.NONE
    chart.category_axis.tick_labels.number_format = "yyyy-mm-dd"
    chart.category_axis.tick_labels.number_format_is_linked = False


def _bars(slide: Any, names: list[str], rates: list[float | None], accent: RGBColor) -> None:
    data = CategoryChartData(number_format="0%")
    data.categories = names
    data.add_series(_("Adoption"), rates)
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, MARGIN, Inches(2.6), WIDTH - 2 * MARGIN, Inches(4.5), data
    )
    chart = frame.chart
    chart.has_legend = True
    chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    chart.font.name, chart.font.size = FONT, Pt(11)
    chart.plots[0].series[0].format.fill.solid()
    chart.plots[0].series[0].format.fill.fore_color.rgb = accent
    chart.value_axis.maximum_scale = 1.0


def _num(value: float | None, unit: str) -> str:
    return _("not measured") if value is None else f"{float(value):g} {unit}".strip()


def _plain(html: str) -> str:
    import nh3

    return " ".join(nh3.clean(html, tags=set()).split())


def _overdue(task: dict[str, Any]) -> str:
    if task.get("owner_side") == "vendor":
        return _("due %(due)s, vendor side") % {"due": task["due_date"]}
    return _("due %(due)s, customer side") % {"due": task["due_date"]}


def report_deck(
    *, report: Any, tenant: Any, figures: dict[str, Any], narrative_html: dict[str, str], logo_png: bytes | None = None
) -> bytes:
    """Return the deck of a QBR as .pptx bytes (the sections of the PDF, in its order)."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    deck.core_properties.title = f"{tenant.name} — QBR {report.label}"
    deck.core_properties.keywords = tenant.brand_accent or ""
    accent = _accent(deck)

    cover = deck.slides.add_slide(deck.slide_layouts[6])
    _text(
        cover,
        f"{_('Quarterly business review')} · {report.label}",
        top=Inches(2.2),
        height=Inches(0.6),
        size=16,
        bold=True,
        colour=accent,
    )
    _text(cover, tenant.name, top=Inches(2.8), height=Inches(1.4), size=40, bold=True)
    last_day = (date.fromisoformat(figures["period"]["end"]) - timedelta(days=1)).isoformat()
    _text(cover, f"{figures['period']['start']} – {last_day}", top=Inches(4.3), height=Inches(0.6), size=20)
    status = _("Published %(day)s") % {"day": f"{report.published_at:%Y-%m-%d}"} if report.is_published else _("Draft")
    _text(cover, f"{status} · Keel", top=Inches(6.5), height=Inches(0.5), size=12, colour=MUTED)
    if logo_png:
        cover.shapes.add_picture(io.BytesIO(logo_png), MARGIN, Inches(0.6), height=Inches(1.0))

    for field, title in (("summary", _("Summary")),):
        if narrative_html.get(field):
            _section(deck, title, [_plain(narrative_html[field])])

    health = figures["health"]
    if health.get("available"):
        latest = health["latest"]
        line = _("Health score %(score)s (%(band)s) on %(day)s.") % {
            "score": latest["score"],
            "band": band_label(latest["band"]),
            "day": latest["day"],
        }
        slide = _section(deck, _("Health"), [line])
        _line(slide, health["series"], _("Health score"), accent)
    else:
        _section(deck, _("Health"), [_("No health scores in this quarter.")])

    adoption = figures["adoption"]
    active = adoption["active_users"]
    line = ngettext("%(counter)s active user in the quarter.", "%(counter)s active users in the quarter.", active) % {
        "counter": active
    }
    slide = _section(deck, _("Adoption by feature"), [line])
    if adoption["features"]:
        _bars(slide, [f["name"] for f in adoption["features"]], [f["rate"] for f in adoption["features"]], accent)

    usage = figures["usage"]
    line = ngettext(
        "%(counter)s active user-day this quarter", "%(counter)s active user-days this quarter", usage["current"]
    ) % {"counter": usage["current"]}
    slide = _section(deck, _("Usage trend"), [line])
    if usage.get("series"):
        _line(slide, usage["series"], _("Daily active users"), accent)

    nps = figures["nps"]
    if nps.get("answers"):
        _section(
            deck,
            "NPS",
            [
                ngettext("NPS %(nps)s from %(counter)s answer", "NPS %(nps)s from %(counter)s answers", nps["answers"])
                % {"nps": f"{nps['nps']:.0f}", "counter": nps["answers"]},
                _("%(promoters)s promoters, %(passives)s passives, %(detractors)s detractors")
                % {"promoters": nps["promoters"], "passives": nps["passives"], "detractors": nps["detractors"]},
                *[f"“{c['comment']}” ({c['score']})" for c in nps["comments"]],
            ],
        )
    else:
        _section(deck, "NPS", [_("No NPS answers this quarter.")])

    tickets = figures["tickets"]
    _section(
        deck,
        _("Support tickets"),
        [
            _(
                "%(opened)s opened this quarter (%(before)s the quarter before); "
                "%(critical)s critical and %(high)s high still open."
            )
            % {
                "opened": tickets["opened"],
                "before": tickets["opened_before"],
                "critical": tickets["open_critical"],
                "high": tickets["open_high"],
            },
        ],
    )

    onboarding = figures["onboarding"]
    if onboarding.get("available"):
        days = onboarding["ttv_days"]
        ttv = _("not reached yet") if days is None else ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
        lines = [
            _(
                "%(percent)s%% of onboarding done (%(completed)s of %(total)s tasks); "
                "%(in_period)s completed this quarter."
            )
            % {
                "percent": onboarding["percent"],
                "completed": onboarding["completed"],
                "total": onboarding["total"],
                "in_period": onboarding.get("completed_in_period", 0),
            },
            f"{_('Time to first value:')} {ttv}",
        ]
    else:
        lines = [_("No onboarding checklist: no figures.")]
    _section(deck, _("Onboarding and time to value"), lines)

    outcomes = figures["outcomes"]
    slide = _section(
        deck,
        _("Outcomes promised vs achieved"),
        [
            _("%(achieved)s of %(promised)s outcomes achieved.")
            % {"achieved": outcomes["achieved"], "promised": outcomes["promised"]}
        ],
    )
    if outcomes["rows"]:
        rows = outcomes["rows"]
        table = slide.shapes.add_table(
            len(rows) + 1, 4, MARGIN, Inches(2.6), WIDTH - 2 * MARGIN, Inches(0.4) * (len(rows) + 1)
        ).table
        for col, head in enumerate((pgettext("success plan", "Outcome"), _("Target"), _("Now"), _("Status"))):
            table.cell(0, col).text = head
        for i, row in enumerate(rows, start=1):
            unit = row.get("unit") or ""
            status = _("Achieved") if row["achieved"] else _("Not yet")
            values = (row["title"], _num(row["target"], unit), _num(row["current"], unit), status)
            for col, value in enumerate(values):
                table.cell(i, col).text = value

    risks = figures["risks"]
    lines = (
        [_("Health components in the red: %(components)s.") % {"components": ", ".join(health["red_components"])}]
        if health.get("red_components")
        else []
    )
    lines += [f"{t['title']} ({_overdue(t)})" for t in risks.get("overdue_tasks", [])]
    _section(deck, _("Risks"), lines or [_("No overdue onboarding tasks.")])

    expansion = figures["expansion"]
    lines = []
    if expansion.get("core_below_target"):
        lines.append(
            _("Core features below the 60 %% adoption target: %(features)s.")
            % {"features": ", ".join(expansion["core_below_target"])}
        )
    if expansion.get("unused_features"):
        lines.append(
            _("Features nobody used yet: %(features)s.") % {"features": ", ".join(expansion["unused_features"])}
        )
    _section(deck, _("Expansion opportunities"), lines or [_("None found in the data.")])

    for field, title in (
        ("risks", _("Risks and mitigations")),
        ("recommendations", _("Recommendations")),
        ("next_goals", _("Next quarter's goals")),
    ):
        if narrative_html.get(field):
            _section(deck, title, [_plain(narrative_html[field])])

    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
