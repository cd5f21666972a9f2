"""Evidence file checks: size, extension and that the bytes are what the name claims."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

# extension -> (content type, magic prefix or None for text formats)
ALLOWED = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".zip": ("application/zip", b"PK\x03\x04"),
    ".txt": ("text/plain", None),
    ".log": ("text/plain", None),
    ".csv": ("text/csv", None),
    ".json": ("application/json", None),
    ".md": ("text/markdown", None),
}


def validate_evidence_file(upload) -> str:
    """Return the content type to store for ``upload``; raise ValidationError saying what is wrong."""
    limit = settings.KEEL_EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            gettext("%(name)s is %(value)s MB; the limit is %(value2)s MB.")
            % {
                "name": upload.name,
                "value": format(upload.size / 1_048_576, ".1f"),
                "value2": format(limit / 1_048_576, ".0f"),
            }
        )
    if upload.size == 0:
        raise ValidationError(gettext("%(name)s is empty.") % {"name": upload.name})
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in ALLOWED:
        kinds = ", ".join(sorted(ALLOWED))
        raise ValidationError(
            gettext("%(name)s: files of type '%(value)s' are not accepted (use %(kinds)s).")
            % {"name": upload.name, "value": suffix or "none", "kinds": kinds}
        )
    content_type, magic = ALLOWED[suffix]
    head = upload.read(2048)
    upload.seek(0)
    if magic is not None and not head.startswith(magic):
        raise ValidationError(
            gettext("%(name)s does not look like a %(suffix)s file.") % {"name": upload.name, "suffix": suffix}
        )
    if magic is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the 2 KiB boundary is fine; binary content is not.
            if exc.start < len(head) - 4:
                raise ValidationError(gettext("%(name)s is not a text file.") % {"name": upload.name}) from None
    return content_type
