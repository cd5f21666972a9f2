"""Give demo tenants a success plan and, for the most advanced one, a published QBR."""

from datetime import timedelta

from django.utils import timezone

from metrics.qbr.models import Outcome, Report
from metrics.qbr.services import outcome_create, outcome_record_value, report_create, report_publish, report_update

OUTCOMES = [
    # title, unit, direction, baseline, target, values recorded so far
    ("Mean time to respond to critical alerts", "min", "down", 240, 30, [180, 95, 42]),
    ("Endpoints covered by the agent", "%", "up", 35, 95, [60, 82, 91]),
    ("Alerts closed without analyst action", "%", "up", 0, 60, [12, 31]),
]


def seed_success_plan(*, tenant, csm, publish_review: bool, progress: float = 1.0) -> None:
    """Create the outcomes with as many of their recorded values as ``progress`` (0-1) warrants."""
    with tenant:
        if not Outcome.objects.exists():
            for title, unit, direction, baseline, target, values in OUTCOMES:
                outcome = outcome_create(
                    actor=csm,
                    title=title,
                    unit=unit,
                    direction=direction,
                    baseline=baseline,
                    target=target,
                    due_date=timezone.localdate() + timedelta(days=90),
                )
                for value in values[: max(1, round(len(values) * progress))]:
                    outcome_record_value(outcome=outcome, actor=csm, value=value)
        if publish_review and not Report.objects.exists():
            report = report_create(actor=csm, day=timezone.localdate())
            report_update(
                report=report,
                actor=csm,
                summary="Production went live this quarter and the first real detections were triaged end to end.",
                risks="- Alert routing to the night shift is not tested yet.",
                recommendations="- Enable automated containment for commodity malware.",
                next_goals=(
                    "- Bring mean time to respond under **30 minutes**.\n- Cover the remaining 4 % of endpoints."
                ),
            )
            report_publish(report=report, actor=csm)
