"""Portfolio KPI formulas (seed 002's KPI table). Pure: numbers in, numbers out."""


def churn_rate(*, lost: int, at_start: int) -> float | None:
    """Return customers lost in a period / customers at its start × 100, or None with no customers."""
    if lost < 0 or at_start < 0:
        raise ValueError("Counts cannot be negative.")
    if at_start == 0:
        return None
    return lost / at_start * 100


def share_percent(*, part: int, whole: int) -> float | None:
    """Return part / whole × 100 (e.g. the share of customers in the green band), or None for 0/0."""
    if whole == 0:
        return None
    return part / whole * 100
