"""Fail on any untranslated, fuzzy or obsolete entry in Keel's catalogues (`make lint` runs it).

Reads each ``locale/<language>/LC_MESSAGES/django.po`` with polib and also asks GNU msgfmt
(``--check --statistics``: format strings must match their original) when it is installed.
"""

import shutil
import subprocess  # noqa: S404  (msgfmt, a fixed program with fixed arguments)
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogue_problems(po_path: Path) -> list[str]:
    """Return one line per entry of ``po_path`` that is untranslated, fuzzy or obsolete."""
    po = polib.pofile(str(po_path))
    problems = [f"{po_path}: untranslated: {entry.msgid!r}" for entry in po.untranslated_entries()]
    problems += [f"{po_path}: fuzzy: {entry.msgid!r}" for entry in po.fuzzy_entries()]
    problems += [f"{po_path}: obsolete: {entry.msgid!r}" for entry in po.obsolete_entries()]
    msgfmt = shutil.which("msgfmt")
    if msgfmt:
        result = subprocess.run(  # noqa: S603
            [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(po_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            problems.append(f"{po_path}: msgfmt: {result.stderr.strip()}")
    return problems


def catalogues() -> list[Path]:
    return sorted(Path(path) for root in settings.LOCALE_PATHS for path in Path(root).glob("*/LC_MESSAGES/django.po"))


class Command(BaseCommand):
    help = "Fail on any untranslated, fuzzy or obsolete entry in the catalogues under LOCALE_PATHS."

    def handle(self, *args, **options):
        found = catalogues()
        languages = {code.replace("-hans", "_Hans") for code, _name in settings.LANGUAGES}
        missing = languages - {path.parent.parent.name for path in found}
        problems = [f"no catalogue for {language}" for language in sorted(missing)]
        for path in found:
            problems += catalogue_problems(path)
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(f"{len(found)} catalogues complete.")
