"""A customer admin's accent colour: WCAG AA or refused; used by the portal and the QBR deck."""

import io
from datetime import date

import pytest

from portal.audit.models import AuditEvent
from portal.tenancy.branding import accent_problem, accent_soft, contrast_ratio
from portal.tenancy.models import Tenant
from tests.support.clients import client_for


@pytest.mark.pure
def test_contrast_ratios_match_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA borderline grey


@pytest.mark.pure
@pytest.mark.parametrize(
    ("colour", "refused"),
    [("#0b5cad", False), ("#767676", False), ("#777777", True), ("#ffcc00", True), ("0b5cad", True), ("#0b5cag", True)],
)
def test_an_accent_must_keep_white_text_readable(colour, refused):
    assert (accent_problem(colour) is not None) is refused


@pytest.mark.pure
def test_the_soft_tint_is_pale():
    assert accent_soft("#000000") == "#e0e0e0"
    assert contrast_ratio(accent_soft("#0b5cad"), "#17202a") > 4.5  # dark text stays readable on it


@pytest.mark.django_db
def test_a_customer_admin_sets_the_accent_and_every_page_uses_it(tenant_a, customer_admin_a, member_a):
    client = client_for(customer_admin_a, tenant_a)
    response = client.post("/settings/branding/", {"accent": "#7A1F4F"})
    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenant_a.pk).brand_accent == "#7a1f4f"
    assert AuditEvent.objects.filter(action="tenant.branded").exists()
    member = client_for(member_a, tenant_a)
    assert '/branding.css?v=7a1f4f"' in member.get("/").text
    css = member.get("/branding.css")
    assert css["Content-Type"].startswith("text/css") and "--accent: #7a1f4f;" in css.text


@pytest.mark.django_db
def test_a_low_contrast_accent_is_refused_with_the_reason(tenant_a, customer_admin_a):
    response = client_for(customer_admin_a, tenant_a).post("/settings/branding/", {"accent": "#ffcc00"})
    assert response.status_code == 400
    assert "below the 4.5:1 that WCAG AA asks for" in response.text
    assert Tenant.objects.get(pk=tenant_a.pk).brand_accent == ""


@pytest.mark.django_db
def test_only_customer_admins_brand(tenant_a, member_a, customer_admin_a):
    assert client_for(member_a, tenant_a).get("/settings/branding/").status_code == 403
    assert client_for(member_a, tenant_a).post("/settings/branding/", {"accent": "#000000"}).status_code == 403
    client = client_for(customer_admin_a, tenant_a)
    client.post("/settings/branding/", {"accent": "#000000"})
    client.post("/settings/branding/", {"accent": "#000000", "reset": "on"})
    assert Tenant.objects.get(pk=tenant_a.pk).brand_accent == ""


@pytest.mark.django_db
def test_the_qbr_deck_uses_the_accent(tenant_a, csm_a):
    from pptx import Presentation

    from metrics.qbr.services import report_create

    Tenant.objects.filter(pk=tenant_a.pk).update(brand_accent="#7a1f4f")
    tenant = Tenant.objects.get(pk=tenant_a.pk)
    with tenant:
        report = report_create(actor=csm_a, day=date(2026, 5, 17))
    deck = Presentation(io.BytesIO(client_for(csm_a, tenant).get(f"/reviews/{report.pk}/pptx/").content))
    title = next(shape for shape in deck.slides[1].shapes if shape.has_text_frame)
    assert str(title.text_frame.paragraphs[0].runs[0].font.color.rgb) == "7A1F4F"


def _png(size=(40, 20), colour=(122, 31, 79)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_a_logo_is_re_encoded_shown_to_members_and_put_on_the_qbr_cover(
    tenant_a, customer_admin_a, member_a, member_b, csm_a, media
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from pptx import Presentation
    from pypdf import PdfReader

    from metrics.qbr.services import report_create

    upload = SimpleUploadedFile("logo.png", _png(size=(2000, 1000)), content_type="image/png")
    response = client_for(customer_admin_a, tenant_a).post("/settings/branding/", {"form": "logo", "logo": upload})
    assert response.status_code == 302
    served = client_for(member_a, tenant_a).get("/branding/logo.png")
    assert served["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.size == (512, 256)  # scaled down, aspect kept
    assert client_for(member_b, tenant_a).get("/branding/logo.png").status_code == 404
    assert "/branding/logo.png" in client_for(member_a, tenant_a).get("/").text

    with tenant_a:
        report = report_create(actor=csm_a, day=date(2026, 5, 17))
    csm = client_for(csm_a, tenant_a)
    cover = PdfReader(io.BytesIO(csm.get(f"/reviews/{report.pk}/pdf/").content)).pages[0]
    assert len(cover.images) == 1  # the customer's logo
    deck = Presentation(io.BytesIO(csm.get(f"/reviews/{report.pk}/pptx/").content))
    assert any(shape.shape_type == 13 for shape in deck.slides[0].shapes)  # a picture on the cover


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>", "not an image"),
        ("logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "PNG or JPEG"),
        ("logo.png", b"\x89PNG" + b"0" * 600_000, "the limit is 512 KB"),
    ],
)
def test_a_bad_logo_is_refused_with_the_reason(tenant_a, customer_admin_a, media, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content)
    response = client_for(customer_admin_a, tenant_a).post("/settings/branding/", {"form": "logo", "logo": upload})
    assert response.status_code == 400 and message in response.text
    assert not Tenant.objects.get(pk=tenant_a.pk).brand_logo
