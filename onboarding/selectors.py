"""Read-side of onboarding, for other apps (metrics may import this; never the reverse)."""

from datetime import timedelta


def checklist_progress() -> tuple[int, int] | None:
    """Return (completed, total) tasks of the current tenant's checklists, or None if it has none."""
    return None  # replaced by the checklist implementation (issue 3)


def time_to_value() -> timedelta | None:
    """Return the current tenant's time to first value, or None while the milestone is not reached."""
    return None  # replaced by the checklist implementation (issue 3)
