"""Pure retention arithmetic over one account's effective events (docs/kpis.md, "Retention").

No database: the selectors load the events in one query and hand them here, the tests and the
benchmark's hand-written SQL check these against hand-computed datasets.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from metrics import kpi

CONTRACT_START = "contract_start"
RENEWAL = "renewal"
CHURN = "churn"
WIN_BACK = "win_back"
STARTS = frozenset({CONTRACT_START, WIN_BACK})
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Fact:
    """One effective (not reversed, not a reversal) ledger event."""

    kind: str
    occurred_on: date
    arr: Decimal | None = None
    term_end: date | None = None


def _before(facts: Sequence[Fact], day: date) -> list[Fact]:
    return [f for f in facts if f.occurred_on < day]


def active_at_start_of(facts: Sequence[Fact], day: date) -> bool:
    """Return whether the account was a customer when ``day`` began (its events before ``day``)."""
    status = False
    for f in _before(facts, day):
        if f.kind in STARTS:
            status = True
        elif f.kind == CHURN:
            status = False
    return status


def arr_at_start_of(facts: Sequence[Fact], day: date) -> Decimal:
    """Return the account's ARR when ``day`` began: the last ARR set before it, 0 after a churn."""
    arr = ZERO
    for f in _before(facts, day):
        if f.kind == CHURN:
            arr = ZERO
        elif f.arr is not None:
            arr = f.arr
    return arr


def _renewed(facts: Sequence[Fact], term: Fact, end: date) -> bool:
    """Return whether the term ``term`` started was renewed by ``end`` (a renewal before any churn)."""
    for f in facts:
        if f.occurred_on < term.occurred_on or f is term or f.occurred_on > end:
            continue
        if f.kind == CHURN:
            return False
        if f.kind == RENEWAL and f.occurred_on >= term.occurred_on:
            return True
    return False


@dataclass
class Period:
    """Retention figures for [start, end] (both days included) over a set of accounts."""

    start: date
    end: date
    at_start: set[int] = field(default_factory=set)
    lost: set[int] = field(default_factory=set)
    start_arr: Decimal = ZERO
    retained_arr: Decimal = ZERO
    end_arr: Decimal = ZERO
    due: set[tuple[int, date]] = field(default_factory=set)
    renewed: set[tuple[int, date]] = field(default_factory=set)
    arr: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)  # id → (start, end) ARR

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def churn_rate(self) -> float | None:
        return kpi.churn_rate(lost=len(self.lost), at_start=len(self.at_start))

    @property
    def annualised_churn_rate(self) -> float | None:
        return kpi.annualised_churn_rate(rate=self.churn_rate, days=self.days)

    @property
    def churn_target_status(self) -> str:
        return kpi.churn_target_status(self.annualised_churn_rate)

    @property
    def grr(self) -> float | None:
        return kpi.gross_revenue_retention(start_arr=float(self.start_arr), retained_arr=float(self.retained_arr))

    @property
    def nrr(self) -> float | None:
        return kpi.net_revenue_retention(start_arr=float(self.start_arr), end_arr=float(self.end_arr))

    @property
    def renewal_rate(self) -> float | None:
        return kpi.renewal_rate(renewed=len(self.renewed), due=len(self.due))


def period_figures(accounts: Mapping[int, Sequence[Fact]], *, start: date, end: date) -> Period:
    """Return logo churn, ARR retention and renewals for [start, end] over ``accounts`` (id → facts in date order).

    - at start: active when ``start`` began; lost: among those, a churn dated in the period (a
      customer who joins and leaves inside the period is in neither).
    - ARR: start ARR of those at start; end ARR = their ARR after ``end``; retained = each capped
      at its start ARR (GRR), end ARR uncapped (NRR). New customers' ARR is in neither.
    - renewals: terms ending in the period (``term_end``) are due; renewed when a renewal follows
      the term's event, before any churn, on or before ``end``.
    """
    if start > end:
        raise ValueError("A period ends on or after its start.")
    period = Period(start=start, end=end)
    after_end = date.fromordinal(end.toordinal() + 1)
    for account_id, facts in accounts.items():
        if active_at_start_of(facts, start):
            period.at_start.add(account_id)
            if any(f.kind == CHURN and start <= f.occurred_on <= end for f in facts):
                period.lost.add(account_id)
            begin, finish = arr_at_start_of(facts, start), arr_at_start_of(facts, after_end)
            period.start_arr += begin
            period.end_arr += finish
            period.retained_arr += min(begin, finish)
            period.arr[account_id] = (begin, finish)
        for term in facts:
            if term.term_end is not None and start <= term.term_end <= end:
                period.due.add((account_id, term.term_end))
                if _renewed(facts, term, end):
                    period.renewed.add((account_id, term.term_end))
    return period


def group_facts(rows: Iterable[tuple[int, str, date, Decimal | None, date | None]]) -> dict[int, list[Fact]]:
    """Return id → facts from (account id, kind, occurred on, ARR, term end) rows in date order."""
    accounts: dict[int, list[Fact]] = {}
    for account_id, kind, occurred_on, arr, term_end in rows:
        accounts.setdefault(account_id, []).append(Fact(kind, occurred_on, arr, term_end))
    return accounts
