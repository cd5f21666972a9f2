"""Is the health score predictive? Pure arithmetic (docs/kpis.md, "Is the score predictive?").

The selector loads the ledger and the public score history in a constant number of queries and
hands them here; the tests check these functions against hand-computed values.

The ROC AUC is computed as the Mann-Whitney U statistic over average ranks, in pure Python:
scikit-learn's ``roc_auc_score`` gives the same number but would add scikit-learn, SciPy and
NumPy (well over 100 MB) to a web app for ten lines of arithmetic that are easy to test by hand.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from metrics import kpi
from metrics.retention import ledger

DEFAULT_LEAD_DAYS = 90
MAX_LEAD_DAYS = 730
# A score counts as "the score on day D" when it is the latest one on or before D and at most
# this many days older (the nightly run may have missed a few days; a month-old score may not).
STALE_AFTER_DAYS = 7
# Fewer churns than this with a score: the AUC is shown with a warning (one churn more or less
# moves it by several points).
MIN_CHURNS = 10
BANDS = ("green", "yellow", "red", "unknown")


def roc_auc(*, retained: Sequence[float], churned: Sequence[float]) -> float | None:
    """Return P(a retained customer's score > a churned customer's score), a tie counting ½.

    This is the area under the ROC curve of the score as a predictor of staying, by the
    Mann-Whitney identity AUC = (R − n(n + 1)/2) / (n·m), R the sum of the retained scores'
    ranks among all scores (tied scores share their average rank). None when either side is empty.
    """
    n, m = len(retained), len(churned)
    if n == 0 or m == 0:
        return None
    ordered = sorted([(s, True) for s in retained] + [(s, False) for s in churned], key=lambda p: p[0])
    rank_sum = 0.0
    i = 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j][0] == ordered[i][0]:
            j += 1
        average_rank = (i + 1 + j) / 2  # ranks i+1 … j share their mean
        rank_sum += average_rank * sum(1 for _, kept in ordered[i:j] if kept)
        i = j
    return (rank_sum - n * (n + 1) / 2) / (n * m)


def score_on(history: Sequence[tuple[date, int | None, str]], day: date) -> tuple[int, str] | None:
    """Return the (score, band) in force on ``day``: the latest scored day on or before it, at most
    STALE_AFTER_DAYS older; None when there is none (no score yet, or only "not enough data yet").

    ``history`` is one account's (day, score, band) rows in any order.
    """
    oldest = day - timedelta(days=STALE_AFTER_DAYS)
    best: tuple[date, int, str] | None = None
    for scored_on, score, band in history:
        if score is None or not oldest <= scored_on <= day:
            continue
        if best is None or scored_on > best[0]:
            best = (scored_on, score, band)
    return None if best is None else (best[1], best[2])


@dataclass(frozen=True, slots=True)
class BandRow:
    band: str
    customers: int
    lost: int

    @property
    def churn_rate(self) -> float | None:
        return kpi.churn_rate(lost=self.lost, at_start=self.customers)


@dataclass
class Report:
    """The predictiveness of the score over [start, end] with a lead of ``lead_days``."""

    start: date
    end: date
    lead_days: int
    bands: list[BandRow] = field(default_factory=list)
    churned_scores: list[int] = field(default_factory=list)
    retained_scores: list[int] = field(default_factory=list)
    churned_unscored: int = 0
    retained_unscored: int = 0
    # account id → (churn day or None, the score counted or None), for the drill-down
    accounts: dict[int, tuple[date | None, int | None]] = field(default_factory=dict)

    @property
    def auc(self) -> float | None:
        return roc_auc(retained=self.retained_scores, churned=self.churned_scores)

    @property
    def churns(self) -> int:
        """The churns the AUC rests on (churned customers with a score N days before)."""
        return len(self.churned_scores)

    @property
    def too_few(self) -> bool:
        return self.churns < MIN_CHURNS


def reference_days(
    accounts: Mapping[int, Sequence[ledger.Fact]], *, start: date, end: date, lead_days: int
) -> dict[int, tuple[date | None, date]]:
    """Return account id → (churn day or None, the day whose score counts) for the accounts active
    when ``start`` began: a lost customer's first churn in the period minus the lead, a kept
    customer's period end minus the lead."""
    if start > end:
        raise ValueError("A period ends on or after its start.")
    lead = timedelta(days=lead_days)
    days: dict[int, tuple[date | None, date]] = {}
    for account_id, facts in accounts.items():
        if not ledger.active_at_start_of(facts, start):
            continue
        churns = [f.occurred_on for f in facts if f.kind == ledger.CHURN and start <= f.occurred_on <= end]
        churned_on = min(churns) if churns else None
        days[account_id] = (churned_on, (churned_on or end) - lead)
    return days


def predictive_report(
    accounts: Mapping[int, Sequence[ledger.Fact]],
    history: Mapping[int, Sequence[tuple[date, int | None, str]]],
    *,
    start: date,
    end: date,
    lead_days: int = DEFAULT_LEAD_DAYS,
) -> Report:
    """Return churn per starting band and the AUC inputs over the customers active when ``start`` began.

    ``accounts``: account id → effective ledger facts in date order; ``history``: account id →
    (day, score, band) rows covering the days asked for (the band on the day before ``start``
    and the reference days of ``reference_days``).
    """
    report = Report(start=start, end=end, lead_days=lead_days)
    counts = {band: [0, 0] for band in BANDS}
    day_before = start - timedelta(days=1)
    for account_id, (churned_on, reference) in reference_days(
        accounts, start=start, end=end, lead_days=lead_days
    ).items():
        rows = history.get(account_id, ())
        at_start = score_on(rows, day_before)
        band = at_start[1] if at_start is not None and at_start[1] in counts else "unknown"
        counts[band][0] += 1
        counts[band][1] += churned_on is not None
        before = score_on(rows, reference)
        report.accounts[account_id] = (churned_on, None if before is None else before[0])
        if before is None:
            if churned_on is None:
                report.retained_unscored += 1
            else:
                report.churned_unscored += 1
        elif churned_on is None:
            report.retained_scores.append(before[0])
        else:
            report.churned_scores.append(before[0])
    report.bands = [BandRow(band=b, customers=c, lost=lost) for b, (c, lost) in counts.items()]
    return report
