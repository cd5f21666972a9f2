"""Template filters for KPIs: each is the one formatter in metrics.kpi, so a page shows what the CSV says."""

from django import template

from metrics import kpi, scoring
from metrics.portfolio.models import Band
from portal.tenancy.models import Tier

register = template.Library()

register.filter("kpi_nps", kpi.format_nps)
register.filter("kpi_share", kpi.format_share)
register.filter("kpi_rate", kpi.format_rate)
register.filter("kpi_adoption", kpi.format_adoption)
register.filter("kpi_ttv", kpi.format_ttv)
register.filter("kpi_auc", kpi.format_auc)
register.filter("kpi_arr", kpi.format_arr)


@register.filter("kpi_band")
def band_label(value: str) -> str:
    """A band's words ("Not enough data yet" for unknown), not its key."""
    return str(Band(value).label) if value in Band.values else value


@register.filter("kpi_tier")
def tier_label(value: str) -> str:
    """A tier's name in the active language ("Strategic", "战略"), not its key."""
    return str(Tier(value).label) if value in Tier.values else value


@register.filter("kpi_component")
def component_label(component: dict) -> str:
    """A health component's name in the active language (snapshots store it in English)."""
    return str(scoring.LABELS.get(component.get("key", ""), component.get("label", "")))


@register.filter("kpi_detail")
def component_detail(component: dict) -> str:
    """A health component's explanation in the active language (snapshots store it in English too)."""
    return scoring.detail_text(component)
