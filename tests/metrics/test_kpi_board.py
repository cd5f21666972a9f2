"""/console/kpis/: seed 002's KPI table, hand-computed, with drill-down and CSV, in constant queries."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from tests.support.clients import client_for
from tests.support.factories import HealthSnapshotFactory, RetentionAccountFactory, RetentionEventFactory, TenantFactory

pytestmark = pytest.mark.django_db
URL = "/console/kpis/"
Q3 = "?start=2026-07-01&end=2026-09-30"


def _customer(*, tier="standard", band="green", score=80, nps=None, ttv=None, adoption=None, since=date(2025, 1, 1)):
    tenant = TenantFactory(tier=tier)
    HealthSnapshotFactory(tenant=tenant, score=score, band=band, nps=nps, ttv_days=ttv, core_adoption=adoption)
    account = RetentionAccountFactory(tenant=tenant)
    RetentionEventFactory(account=account, occurred_on=since, arr=Decimal(10000), term_end=date(2026, 8, 1))
    return tenant, account


@pytest.fixture
def portfolio(db):
    """Four customers: 3 green of 4 scored; NPS 60, 40, 20 and none; TTV 10, 20, 30 d (standard) and 5 d
    (key); adoption 0.5, 0.7, 0.9; one churns in Q3 2026, one renews, one expands."""
    a = _customer(nps=60, ttv=10, adoption=0.5)
    b = _customer(nps=40, ttv=20, adoption=0.7)
    c = _customer(band="red", score=30, nps=20, ttv=30, adoption=0.9)
    d = _customer(tier="key", ttv=5)
    RetentionEventFactory(account=a[1], kind="churn", occurred_on=date(2026, 8, 15))
    RetentionEventFactory(account=b[1], kind="renewal", occurred_on=date(2026, 7, 20), arr=Decimal(10000))
    RetentionEventFactory(account=c[1], kind="expansion", occurred_on=date(2026, 9, 1), arr=Decimal(15000))
    return a, b, c, d


@time_machine.travel("2026-12-01 12:00Z", tick=False)
def test_the_board_shows_each_kpi_hand_computed(portfolio, admin_user):
    response = client_for(admin_user).get(URL + Q3)
    assert response.status_code == 200
    rows = {r.key: r for r in response.context["board"].rows}
    # c is red: 3 green of 4 scored (every session tenant is unscored: out of the share)
    assert (rows["green"].value, rows["green"].status) == ("75 %", "missed")
    # NPS: mean(60, 40, 20) = 40, account-weighted; target > 50
    assert (rows["nps"].value, rows["nps"].status) == ("40", "missed")
    # adoption: mean(0.5, 0.7, 0.9) = 0.7 → 70 %, inside 60–80 %
    assert (rows["adoption"].value, rows["adoption"].status) == ("70 %", "met")
    # TTV median of 5, 10, 20, 30 = 15 d; p75 (inclusive) = 22.5 d
    assert rows["ttv"].value == "15 d"
    assert "p75 22.5 d" in rows["ttv"].detail
    assert ("Standard", 3, "20 d", "25 d") in response.context["board"].ttv_by_tier
    # Q3 (92 days): 1 lost of 4 = 25 %; annualised 1 − 0.75^(365.25/92) = 1 − 0.3191 = 68.09 %
    assert rows["logo_churn"].value == "68.1 %"
    assert rows["logo_churn"].status == "missed"
    # ARR 40000 at the start; end: a 0, b 10000, c 15000, d 10000 = 35000; kept 30000
    assert (rows["grr"].value, rows["nrr"].value) == ("75.0 %", "87.5 %")
    # due in Q3: all four terms end 2026-08-01; b renewed → 1 of 4
    assert rows["renewal"].value == "25 %"
    # the last four quarters: Q3 2026 is the last one
    assert rows["logo_churn"].quarters[-1] == ("2026 Q3", pytest.approx(68.09, abs=0.01), "68.1 %")


@time_machine.travel("2026-12-01 12:00Z", tick=False)
def test_the_drill_down_names_the_customers(portfolio, admin_user):
    a, *_ = portfolio
    page = client_for(admin_user).get(URL + Q3 + "&kpi=logo_churn").text
    assert a[0].name in page
    assert "Lost" in page
    page = client_for(admin_user).get(URL + Q3 + "&kpi=renewal").text
    assert "2026-08-01" in page


@time_machine.travel("2026-12-01 12:00Z", tick=False)
def test_the_csv_has_the_same_figures_as_the_page(portfolio, admin_user):
    csv = client_for(admin_user).get(URL + Q3 + "&format=csv").content.decode()
    lines = csv.splitlines()
    assert lines[0].startswith("kpi,label,period_start,period_end,value,target,status,detail,2025 Q4")
    assert any(line.startswith("logo_churn,Logo churn (annualised),2026-07-01,2026-09-30,68.1 %") for line in lines)
    assert any(line.startswith("nps,NPS,2026-07-01,2026-09-30,40,") for line in lines)


def test_a_csm_sees_only_their_customers(portfolio, csm_a, member_a):
    board = client_for(csm_a).get(URL).context["board"]
    assert board.rows[2].detail == "0 of 0 scored customers"
    assert client_for(member_a).get(URL).status_code == 403


@pytest.mark.parametrize("count", [3, 30])
def test_the_board_runs_a_constant_number_of_queries(admin_user, count, django_assert_num_queries):
    for _ in range(count):
        _customer()
    client = client_for(admin_user)
    # host → tenant, session, user, snapshots, ledger events, accounts named, the nav's unread
    # count, and django-tenants' two SET search_path: 9 whatever the number of customers.
    with django_assert_num_queries(9):
        client.get(URL)
