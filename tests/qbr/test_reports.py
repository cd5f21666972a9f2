"""QBRs: drafts are live, publishing freezes, customers see only published ones, PDF and CSV."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from metrics.qbr.models import Outcome, Report
from metrics.qbr.selectors import qbr_due_date_get, report_content_get
from metrics.qbr.services import (
    outcome_create,
    outcome_record_value,
    outcome_sign_off,
    quarter_bounds,
    report_create,
    report_publish,
    report_update,
)
from onboarding.models import Task
from onboarding.services import evidence_add, task_complete
from portal.accounts.access import AccessDenied
from portal.tenancy.models import Tenant
from tests.support.clients import client_for


@pytest.mark.pure
@pytest.mark.parametrize(
    ("day", "bounds"),
    [
        (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 4, 1))),
        (date(2026, 5, 17), (date(2026, 4, 1), date(2026, 7, 1))),
        (date(2026, 12, 31), (date(2026, 10, 1), date(2027, 1, 1))),
    ],
)
def test_quarter_bounds(day, bounds):
    assert quarter_bounds(day) == bounds


@pytest.fixture
def draft(tenant_a, csm_a):
    with tenant_a:
        outcome = outcome_create(
            actor=csm_a, title="Mean time to respond", unit="min", direction="down", baseline=120, target=30
        )
        outcome_record_value(outcome=outcome, actor=csm_a, value=45)
        report = report_create(actor=csm_a, day=date(2026, 11, 23))
        report_update(report=report, actor=csm_a, summary="A **strong** quarter <script>x()</script>")
    return report


def test_a_draft_shows_live_figures_that_match_the_data(tenant_a, csm_a, member_a, draft):
    with tenant_a:
        total = Task.objects.count()
        figures = report_content_get(draft)["figures"]
        assert figures["onboarding"]["total"] == total
        assert figures["onboarding"]["completed"] == 0
        task = Task.objects.get(key="env-inventory")
        evidence_add(task=task, actor=member_a, text="listed")
        task_complete(task=task, actor=member_a)
        figures = report_content_get(draft)["figures"]
        assert figures["onboarding"]["completed"] == 1
        assert figures["onboarding"]["percent"] == round(100 / total)
        row = figures["outcomes"]["rows"][0]
        assert (row["baseline"], row["target"], row["current"], row["achieved"]) == (120.0, 30.0, 45.0, False)
        assert row["progress_percent"] == 83  # (45 - 120) / (30 - 120)


def test_publishing_freezes_the_figures(tenant_a, csm_a, member_a, draft):
    with tenant_a:
        report_publish(report=draft, actor=csm_a)
        frozen = report_content_get(Report.objects.get(pk=draft.pk))
        # New data after publication...
        task = Task.objects.get(key="env-inventory")
        evidence_add(task=task, actor=member_a, text="listed")
        task_complete(task=task, actor=member_a)
        outcome_record_value(outcome=Outcome.objects.get(), actor=csm_a, value=25)
        # ...does not move a published report.
        assert report_content_get(Report.objects.get(pk=draft.pk)) == frozen
        assert frozen["figures"]["onboarding"]["completed"] == 0
        assert frozen["figures"]["outcomes"]["achieved"] == 0
        assert "<strong>strong</strong>" in frozen["narrative_html"]["summary"]
        assert "<script" not in frozen["narrative_html"]["summary"]
        with pytest.raises(ValidationError, match="frozen"):
            report_update(report=draft, actor=csm_a, summary="rewrite history")
    assert Tenant.objects.get(pk=tenant_a.pk).last_qbr_published_at is not None


def test_only_vendor_staff_prepare_reviews(tenant_a, customer_admin_a):
    with tenant_a, pytest.raises(AccessDenied):
        report_create(actor=customer_admin_a, day=date(2026, 11, 1))


def test_one_review_per_quarter(tenant_a, csm_a, draft):
    with tenant_a, pytest.raises(ValidationError, match="exists already"):
        report_create(actor=csm_a, day=date(2026, 10, 5))


def test_customers_see_published_reviews_only(tenant_a, member_a, csm_a, draft):
    client = client_for(member_a, tenant_a)
    assert client.get(f"/reviews/{draft.pk}/").status_code == 404
    assert "QBR 2026 Q4" not in client.get("/reviews/").text
    assert client_for(csm_a, tenant_a).get(f"/reviews/{draft.pk}/").status_code == 200
    with tenant_a:
        report_publish(report=draft, actor=csm_a)
    assert client.get(f"/reviews/{draft.pk}/").status_code == 200
    assert "QBR 2026 Q4" in client.get("/reviews/").text


def test_review_pages_trio(tenant_a, member_a, member_b, csm_a, draft):
    with tenant_a:
        report_publish(report=draft, actor=csm_a)
    for suffix in ("", "pdf/", "pptx/", "csv/"):
        url = f"/reviews/{draft.pk}/{suffix}"
        assert client_for(member_a, tenant_a).get(url).status_code == 200, url
        assert client_for(member_b, tenant_a).get(url).status_code == 404, url
    assert client_for(member_a, tenant_a).post(f"/reviews/{draft.pk}/edit/", {"summary": "x"}).status_code == 403
    assert client_for(member_a, tenant_a).post("/reviews/", {"day": "2026-07-01"}).status_code == 403


@pytest.mark.slow
def test_the_pdf_holds_the_tenants_name_and_figures(tenant_a, csm_a, draft):
    with tenant_a:
        report_publish(report=draft, actor=csm_a)
        total = Task.objects.count()
    response = client_for(csm_a, tenant_a).get(f"/reviews/{draft.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())  # undo line wrapping
    assert "Alpha Corp" in text and "2026 Q4" in text
    assert f"0 of {total} tasks" in text
    assert "Mean time to respond" in text and "45 min" in text
    assert "A strong quarter" in text


def test_the_csv_lists_the_frozen_figures(tenant_a, csm_a, draft):
    with tenant_a:
        report_publish(report=draft, actor=csm_a)
    body = client_for(csm_a, tenant_a).get(f"/reviews/{draft.pk}/csv/").content.decode()
    assert body.startswith("section,metric,period,value,unit\r\n")
    assert "outcomes,Mean time to respond: now,now,45.0,min" in body


def test_the_csv_is_tidy_one_row_per_figure_with_its_period_and_unit(tenant_a, csm_a, quarter_data):
    with tenant_a:
        report = report_publish(report=report_create(actor=csm_a, day=date(2026, 8, 15)), actor=csm_a)
    rows = list(csv.reader(io.StringIO(client_for(csm_a, tenant_a).get(f"/reviews/{report.pk}/csv/").text)))
    assert rows[0] == ["section", "metric", "period", "value", "unit"]
    assert all(len(row) == 5 and row[3] != "" for row in rows[1:])
    figures = {(section, metric, period): (value, unit) for section, metric, period, value, unit in rows[1:]}
    assert len(figures) == len(rows) - 1  # one row per figure
    assert figures[("adoption", "active users", "2026 Q3")] == ("4", "users")
    assert figures[("adoption", "Alert triage: adoption", "2026 Q3")] == ("50.0", "percent")
    assert figures[("nps", "NPS", "2026 Q3")] == ("25", "score")  # rounded as every page shows it (docs/kpis.md)
    assert figures[("health", "score", "2026-09-30")] == ("74", "points")
    assert figures[("usage", "daily active users", "2026-08-03")] == ("4", "users")
    assert figures[("tickets", "critical still open", "now")] == ("1", "tickets")


def test_the_csv_quotes_text_a_spreadsheet_would_run_as_a_formula(tenant_a, csm_a):
    with tenant_a:
        formula = '=HYPERLINK("http://evil.example","Open")'
        outcome = outcome_create(actor=csm_a, title=formula, direction="down", baseline=-5, target=-20)
        outcome_record_value(outcome=outcome, actor=csm_a, value=-12)
        report = report_create(actor=csm_a, day=date(2026, 11, 23))
    rows = list(csv.reader(io.StringIO(client_for(csm_a, tenant_a).get(f"/reviews/{report.pk}/csv/").text)))
    values = {metric: value for section, metric, period, value, unit in rows if section == "outcomes"}
    assert values["'" + formula + ": now"] == "-12.0"  # the title is quoted; a negative number stays a number


def test_a_draft_can_be_written_and_published_from_the_page(tenant_a, csm_a, draft):
    client = client_for(csm_a, tenant_a)
    client.post(f"/reviews/{draft.pk}/edit/", {"summary": "Good", "risks": "", "recommendations": "", "next_goals": ""})
    client.post(f"/reviews/{draft.pk}/publish/")
    with tenant_a:
        report = Report.objects.get(pk=draft.pk)
    assert report.is_published and report.snapshot["narrative_html"]["summary"].strip() == "<p>Good</p>"


# --- outcomes ------------------------------------------------------------------------------
def test_outcome_history_and_sign_off(tenant_a, csm_a, customer_admin_a, member_a):
    with tenant_a:
        outcome = outcome_create(actor=csm_a, title="Coverage", unit="%", direction="up", baseline=40, target=95)
        with pytest.raises(ValidationError, match="no measured value"):
            outcome_sign_off(outcome=outcome, actor=customer_admin_a)
        outcome_record_value(outcome=outcome, actor=csm_a, value=80)
        outcome_record_value(outcome=outcome, actor=csm_a, value=96)
        with pytest.raises(AccessDenied):
            outcome_sign_off(outcome=outcome, actor=member_a)
        outcome_sign_off(outcome=outcome, actor=customer_admin_a)
        outcome.refresh_from_db()
        assert outcome.achieved and outcome.signed_off_by == customer_admin_a
        assert list(outcome.values.values_list("value", flat=True)) == [Decimal("80.00"), Decimal("96.00")]
        outcome_record_value(outcome=outcome, actor=csm_a, value=97)
        outcome.refresh_from_db()
        assert outcome.signed_off_at is None  # a new value needs a new sign-off


def test_outcome_pages_trio(tenant_a, csm_a, customer_admin_a, member_a, member_b):
    form = {"title": "MTTR", "unit": "min", "direction": "down", "baseline": "120", "target": "30"}
    assert client_for(member_b, tenant_a).get("/outcomes/").status_code == 404
    assert client_for(member_a, tenant_a).post("/outcomes/", form).status_code == 403
    assert client_for(csm_a, tenant_a).post("/outcomes/", form).status_code == 302
    with tenant_a:
        outcome = Outcome.objects.get(title="MTTR")
    assert (
        client_for(customer_admin_a, tenant_a).post(f"/outcomes/{outcome.pk}/value/", {"value": "1"}).status_code == 403
    )
    assert client_for(csm_a, tenant_a).post(f"/outcomes/{outcome.pk}/value/", {"value": "50"}).status_code == 302
    assert client_for(member_a, tenant_a).post(f"/outcomes/{outcome.pk}/sign-off/").status_code == 403
    assert client_for(customer_admin_a, tenant_a).post(f"/outcomes/{outcome.pk}/sign-off/").status_code == 302
    bad = client_for(csm_a, tenant_a).post("/outcomes/", {**form, "target": "120"})
    assert bad.status_code == 400 and "must differ from the baseline" in bad.text


# --- cadence -------------------------------------------------------------------------------
def test_cadence_follows_the_tier(tenant_a, settings):
    tenant_a.contract_start = date(2026, 1, 10)
    for tier, due in [("strategic", date(2026, 4, 10)), ("key", date(2026, 7, 10)), ("standard", date(2027, 1, 10))]:
        tenant_a.tier = tier
        assert qbr_due_date_get(tenant_a) == due


def test_the_console_lists_overdue_reviews(tenant_a, tenant_b, csm_a, admin_user):
    Tenant.objects.filter(pk=tenant_a.pk).update(contract_start=date(2025, 1, 1), tier="strategic")
    with time_machine.travel(date(2026, 11, 23)):
        response = client_for(admin_user).get("/console/reviews/")
    assert response.status_code == 200
    assert "Alpha Corp" in response.text and "Overdue by" in response.text
    assert "Beta Corp" not in client_for(csm_a).get("/console/reviews/").text


# --- metrics in the review -----------------------------------------------------------------
@pytest.fixture
def quarter_data(tenant_a):
    """Hand-made metrics for 2026 Q3 in tenant A: 4 active users, 2 on the core feature."""
    from datetime import UTC, datetime

    from metrics.models import DailyUsage, Feature, HealthScore, NpsResponse, SeatCount, SupportTicket

    with tenant_a:
        triage = Feature.objects.create(key="alerts.triage", name="Alert triage", is_core=True)
        hunt = Feature.objects.create(key="hunt", name="Threat hunting", is_core=False)
        for user in ("u1", "u2", "u3", "u4"):
            DailyUsage.objects.create(day=date(2026, 8, 3), feature=hunt, user_ref=user, events=1, quantity=1)
        for user in ("u1", "u2"):
            DailyUsage.objects.create(day=date(2026, 8, 4), feature=triage, user_ref=user, events=3, quantity=3)
        for score, comment in [(10, "Great"), (9, ""), (6, "Too noisy"), (8, "")]:
            NpsResponse.objects.create(
                respondent_id=score,
                period="2026-Q3",
                score=score,
                comment=comment,
                created_at=datetime(2026, 8, 10, tzinfo=UTC),
            )
        SupportTicket.objects.create(
            external_id="T-1", severity="critical", status="open", opened_at=datetime(2026, 9, 1, tzinfo=UTC)
        )
        SeatCount.objects.create(day=date(2026, 9, 1), seats=4)
        for day, score in [(date(2026, 7, 1), 52), (date(2026, 9, 30), 74)]:
            HealthScore.objects.create(
                day=day,
                score=score,
                band="green" if score >= 70 else "yellow",
                tier="standard",
                components=[{"key": "support", "label": "Support tickets", "score": 25.0, "contribution": 2.5}],
            )


def test_the_figures_match_the_metrics_of_the_quarter(tenant_a, csm_a, quarter_data):
    with tenant_a:
        report = report_create(actor=csm_a, day=date(2026, 8, 15))
        figures = report_content_get(report)["figures"]
    adoption = {f["name"]: f for f in figures["adoption"]["features"]}
    assert figures["adoption"]["active_users"] == 4
    assert adoption["Alert triage"]["rate"] == 0.5  # 2 of 4 active users
    assert adoption["Threat hunting"]["rate"] == 1.0
    nps = figures["nps"]
    assert (nps["promoters"], nps["passives"], nps["detractors"], nps["nps"]) == (2, 1, 1, 25.0)  # 50 % − 25 %
    assert {c["comment"] for c in nps["comments"]} == {"Great", "Too noisy"}
    assert figures["tickets"]["opened"] == 1 and figures["tickets"]["open_critical"] == 1
    assert figures["health"]["first"] == 52 and figures["health"]["latest"]["score"] == 74
    assert figures["health"]["red_components"] == ["Support tickets"]
    assert figures["expansion"]["core_below_target"] == ["Alert triage"]
    assert figures["expansion"]["seats_near_limit"] is True  # 4 active users on 4 seats


def test_new_events_after_publication_leave_the_review_unchanged(tenant_a, csm_a, quarter_data):
    from metrics.models import DailyUsage, Feature

    with tenant_a:
        report = report_publish(report=report_create(actor=csm_a, day=date(2026, 8, 15)), actor=csm_a)
        before = report_content_get(Report.objects.get(pk=report.pk))
        DailyUsage.objects.create(
            day=date(2026, 8, 20), feature=Feature.objects.get(key="alerts.triage"), user_ref="u9", events=1, quantity=1
        )
        after = report_content_get(Report.objects.get(pk=report.pk))
        draft = report_create(actor=csm_a, day=date(2026, 5, 1))  # another quarter, live
        Report.objects.filter(pk=draft.pk).update(period_start=date(2026, 7, 2), period_end=date(2026, 10, 1))
        live = report_content_get(Report.objects.get(pk=draft.pk))
    assert after["figures"] == before["figures"]
    assert after["figures"]["adoption"]["active_users"] == 4
    assert live["figures"]["adoption"]["active_users"] == 5  # the same data, unfrozen, sees the new user


@pytest.mark.slow
def test_the_pdf_draws_the_charts_and_the_metrics(tenant_a, csm_a, quarter_data):
    with tenant_a:
        report = report_publish(report=report_create(actor=csm_a, day=date(2026, 8, 15)), actor=csm_a)
    response = client_for(csm_a, tenant_a).get(f"/reviews/{report.pk}/pdf/")
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Health score 74" in text and "NPS 25 from 4 answers" in text
    assert "Alert triage" in text and "50 %" in text  # the one adoption formatter (docs/kpis.md)


def test_an_outcome_bound_to_a_metric_follows_it(tenant_a, csm_a, quarter_data):
    from metrics.qbr.services import outcomes_sync_bound
    from metrics.qbr.tasks import outcomes_sync_task

    yesterday = timezone.localdate() - timedelta(days=1)
    with tenant_a:
        from metrics.models import DailyUsage, Feature

        triage = Feature.objects.get(key="alerts.triage")
        for user in ("u1", "u2", "u3"):
            DailyUsage.objects.create(day=yesterday, feature=triage, user_ref=user, events=1, quantity=1)
        DailyUsage.objects.create(
            day=yesterday, feature=Feature.objects.get(key="hunt"), user_ref="u4", events=1, quantity=1
        )
        outcome = outcome_create(
            actor=csm_a,
            title="Triage adoption",
            unit="%",
            direction="up",
            baseline=0,
            target=80,
            metric="adoption:alerts.triage",
        )
        assert outcomes_sync_bound() == 1
        outcome.refresh_from_db()
        assert outcome.current_value == Decimal("75.00")  # 3 of the 4 users active in the window
        assert outcomes_sync_task.delay().get() == 0  # unchanged: no second history row
        assert outcome.values.count() == 1
        with pytest.raises(ValidationError, match="Unknown metric"):
            outcome_create(actor=csm_a, title="x", direction="up", baseline=0, target=1, metric="adoption:nope")


def _pdf_of(tenant, csm, report, tmp_path):
    pdf = tmp_path / "qbr.pdf"
    pdf.write_bytes(client_for(csm, tenant).get(f"/reviews/{report.pk}/pdf/").content)
    return pdf


@pytest.mark.slow
def test_the_pdf_opens_on_a_cover_with_the_inclusive_period_and_keeps_headings_with_their_charts(
    tenant_a, csm_a, quarter_data, tmp_path
):
    with tenant_a:
        report = report_publish(report=report_create(actor=csm_a, day=date(2026, 8, 15)), actor=csm_a)
        usage_caption = report_content_get(report)["charts"]["usage"].description
    reader = PdfReader(_pdf_of(tenant_a, csm_a, report, tmp_path))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert "Alpha Corp" in pages[0] and "2026 Q3" in pages[0]
    assert "2026-07-01 – 2026-09-30" in pages[0]  # the last day of the quarter, not the exclusive end
    assert "Health score" not in pages[0]  # the figures start on the next page
    for heading, caption in [("Usage trend", " ".join(usage_caption.split()))]:
        (page,) = [p for p in pages if heading in p]
        assert caption in page, "the heading was stranded away from its chart"


def _dark_fraction(png, box) -> float:
    from PIL import Image

    with Image.open(png) as image:
        histogram = image.convert("L").crop(box).histogram()
    return sum(histogram[:128]) / sum(histogram)


def _chart_box(pdf, page: int, heading: str, caption_start: str, dpi: int):
    """The pixels between a section's heading and its chart's caption on one page (pdftotext -bbox)."""
    import re
    import subprocess

    layout = subprocess.run(  # noqa: S603 (fixed arguments)
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    word = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    words = [(text, *map(float, box)) for *box, text in re.findall(word, layout)]
    top = next(y_max for text, _, _, _, y_max in words if text == heading.split()[-1])
    bottom = next(y_min for text, _, y_min, _, _ in words if text == caption_start and y_min > top)
    page_width = max(x_max for _, _, _, x_max, _ in words)
    scale = dpi / 72
    return (0, int(top * scale), int(page_width * scale), int(bottom * scale))


@pytest.mark.slow
def test_the_pdf_charts_are_lines_on_white_in_one_embedded_font(tenant_a, csm_a, quarter_data, tmp_path):
    import subprocess

    from metrics.models import DailyUsage, Feature

    with tenant_a:  # usage on most days of the quarter: a filled chart would be a large black shape
        hunt, start = Feature.objects.get(key="hunt"), date(2026, 7, 1)
        DailyUsage.objects.bulk_create(
            DailyUsage(day=start + timedelta(days=offset), feature=hunt, user_ref=f"v{n}", events=1, quantity=1)
            for offset in range(92)
            if offset % 9  # and gaps, which the line must leave open
            for n in range(3 + offset % 3)
        )
        report = report_publish(report=report_create(actor=csm_a, day=date(2026, 8, 15)), actor=csm_a)
    pdf = _pdf_of(tenant_a, csm_a, report, tmp_path)
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    (chart_page,) = [n for n, text in enumerate(pages, start=1) if "Usage trend" in text]
    page = str(chart_page)
    pdftoppm = ["pdftoppm", "-f", page, "-l", page, "-r", "60", "-png", str(pdf), str(tmp_path / "p")]
    subprocess.run(pdftoppm, check=True)  # noqa: S603, S607 (fixed arguments; poppler-utils from the Makefile)
    (png,) = tmp_path.glob("p*.png")
    box = _chart_box(pdf, chart_page, "Usage trend", "Daily", dpi=60)
    assert box[3] - box[1] > 60  # the chart is there (at least 2 cm tall)
    assert _dark_fraction(png, box) < 0.10

    pdffonts = ["pdffonts", str(pdf)]
    fonts = subprocess.run(pdffonts, check=True, capture_output=True, text=True).stdout  # noqa: S603, S607
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows, fonts
    for row in rows:
        name, embedded = row[0], row[-5]
        assert embedded == "yes", fonts
        assert "DejaVu-Sans" in name, fonts  # one sans family (regular and bold faces)


def test_the_deck_has_every_section_and_native_charts_of_the_figures(tenant_a, csm_a, quarter_data):
    from pptx import Presentation
    from pptx.enum.chart import XL_CHART_TYPE

    with tenant_a:
        report = report_publish(report=report_create(actor=csm_a, day=date(2026, 8, 15)), actor=csm_a)
        figures = report_content_get(report)["figures"]
    response = client_for(csm_a, tenant_a).get(f"/reviews/{report.pk}/pptx/")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.pptx"')
    deck = Presentation(io.BytesIO(response.content))
    texts = [" ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame) for slide in deck.slides]
    assert "Alpha Corp" in texts[0] and "2026-07-01 – 2026-09-30" in texts[0]
    titles = [text.split("\n")[0] for text in texts[1:]]
    for section in (
        "Health",
        "Adoption by feature",
        "Usage trend",
        "NPS",
        "Support tickets",
        "Onboarding and time to value",
        "Outcomes promised vs achieved",
        "Risks",
        "Expansion opportunities",
    ):
        assert any(title.startswith(section) for title in titles), (section, titles)
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    usage = next(c for c in charts if c.plots[0].series[0].name == "Daily active users")
    assert usage.chart_type == XL_CHART_TYPE.LINE
    assert list(usage.plots[0].series[0].values) == [value for _, value in figures["usage"]["series"]]
    health = next(c for c in charts if c.plots[0].series[0].name == "Health score")
    assert list(health.plots[0].series[0].values) == [value for _, value in figures["health"]["series"]]
    adoption = next(c for c in charts if c.plots[0].series[0].name == "Adoption")
    assert adoption.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    assert list(adoption.plots[0].categories) == ["Alert triage", "Threat hunting"]
    assert list(adoption.plots[0].series[0].values) == [0.5, 1.0]


def test_a_published_review_whose_snapshot_lacks_figures_still_shows(tenant_a, member_a):
    """A review frozen before a figure existed (an older snapshot) renders without it, in any language."""
    from django.utils import timezone

    from metrics.qbr.models import ReportStatus
    from tests.support.factories import ReportFactory

    with tenant_a:
        report = ReportFactory(
            status=ReportStatus.PUBLISHED, snapshot={"figures": {}, "narrative_html": {}}, published_at=timezone.now()
        )
    for language in ("en", "zh-hans"):
        response = client_for(member_a, tenant_a).get(f"/reviews/{report.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
