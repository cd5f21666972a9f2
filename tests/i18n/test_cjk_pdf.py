"""A Chinese tenant's QBR PDF carries its Chinese text in an embedded CJK font (no tofu boxes).

Chinese customer data (the tenant's name, its success-plan outcomes) and the PDF's own headings,
which follow the tenant's language whoever downloads the review (here its English-speaking CSM).
"""

import shutil
import subprocess

from metrics.qbr.services import outcome_create, outcome_record_value, report_create
from portal.tenancy.clock import tenant_today
from portal.tenancy.models import Tenant
from tests.support.clients import client_for


def test_a_chinese_qbr_pdf_has_its_chinese_text_in_an_embedded_cjk_font(shanghai_a, csm_a, tmp_path):
    Tenant.objects.filter(pk=shanghai_a.pk).update(name="华安网络安全")
    shanghai_a.refresh_from_db()
    with shanghai_a:
        outcome = outcome_create(
            actor=csm_a, title="平均响应时间", unit="分钟", direction="down", baseline=120, target=30
        )
        outcome_record_value(outcome=outcome, actor=csm_a, value=45)
        report = report_create(actor=csm_a, day=tenant_today(shanghai_a))
    response = client_for(csm_a, shanghai_a).get(f"/reviews/{report.pk}/pdf/")
    assert response.status_code == 200
    pdf = tmp_path / "qbr.pdf"
    pdf.write_bytes(response.content)

    text = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "华安网络安全" in text
    assert "平均响应时间" in text
    for heading in (
        "季度业务回顾",
        "健康度",
        "各功能采用率",
        "使用趋势",
        "支持工单",
        "承诺成果与已达成成果",
        "风险",
        "扩展机会",
    ):
        assert heading in text, heading
    assert "第 2 页，共" in text  # the page footer (the cover has none)
    for english in ("Quarterly business review", "Adoption by feature", "Support tickets", "Page 2 of"):
        assert english not in text, english

    fonts = subprocess.run(  # noqa: S603
        [shutil.which("pdffonts") or "pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line]
    assert cjk, fonts
    # pdffonts columns: name type encoding emb sub uni object ID; "yes" under emb means embedded.
    assert all(line.split()[-5] == "yes" for line in cjk), cjk


def test_a_chinese_tenants_qbr_deck_has_chinese_headings(shanghai_a, csm_a):
    import io

    from pptx import Presentation

    with shanghai_a:
        report = report_create(actor=csm_a, day=tenant_today(shanghai_a))
    response = client_for(csm_a, shanghai_a).get(f"/reviews/{report.pk}/pptx/")
    assert response.status_code == 200
    deck = Presentation(io.BytesIO(response.content))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    joined = "\n".join(texts)
    for heading in ("季度业务回顾", "各功能采用率", "使用趋势", "支持工单", "风险", "扩展机会"):
        assert heading in joined, heading
    assert "Quarterly business review" not in joined and "Support tickets" not in joined
