"""A Chinese tenant's QBR PDF carries its Chinese text in an embedded CJK font (no tofu boxes).

The PDF template's own headings are translated in the template pass (issue 17 restyles the PDF);
this test uses Chinese customer data: the tenant's name and its success-plan outcomes.
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

    fonts = subprocess.run(  # noqa: S603
        [shutil.which("pdffonts") or "pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line]
    assert cjk, fonts
    # pdffonts columns: name type encoding emb sub uni object ID; "yes" under emb means embedded.
    assert all(line.split()[-5] == "yes" for line in cjk), cjk
