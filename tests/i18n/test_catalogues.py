"""The catalogues are complete, current, and say what the code says."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from portal.tenancy.management.commands.messages_check import catalogue_problems, catalogues

ROOT = Path(settings.BASE_DIR)


@pytest.mark.pure
def test_every_language_has_a_complete_catalogue():
    call_command("messages_check")
    assert {path.parent.parent.name for path in catalogues()} == {"en", "zh_Hans"}


@pytest.mark.pure
def test_the_check_fails_on_an_untranslated_or_fuzzy_entry(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=1; plural=0;"}
    po.append(polib.POEntry(msgid="Saved.", msgstr="已保存。"))
    po.append(polib.POEntry(msgid="Save", msgstr=""))
    po.append(polib.POEntry(msgid="Delete", msgstr="删除", flags=["fuzzy"]))
    po.save(str(tmp_path / "django.po"))
    problems = catalogue_problems(tmp_path / "django.po")
    assert any("untranslated: 'Save'" in p for p in problems)
    assert any("fuzzy: 'Delete'" in p for p in problems)
    assert not any("Saved." in p for p in problems)


@pytest.mark.pure
def test_a_broken_placeholder_fails_msgfmts_check(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=1; plural=0;"}
    po.append(polib.POEntry(msgid="Hello %(name)s", msgstr="你好 %(nom)s", flags=["python-format"]))
    po.save(str(tmp_path / "django.po"))
    assert any("msgfmt" in p for p in catalogue_problems(tmp_path / "django.po"))


@pytest.mark.pure
def test_the_catalogues_hold_every_string_the_code_marks(tmp_path):
    """Extracting again finds nothing the committed catalogues lack (run `make messages`)."""
    copy = tmp_path / "keel"
    copy.mkdir()
    for name in ("portal", "onboarding", "metrics", "templates", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "--verbosity", "0"],
        cwd=copy,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "portal.settings.test", "PYTHONPATH": str(copy)},
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po")) if not e.obsolete}
    committed = {e.msgid for e in polib.pofile(str(ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    assert sorted(fresh - committed) == [], "strings marked for translation but missing from the catalogue"
    assert sorted(committed - fresh) == [], "catalogue entries no longer in the code"


def test_the_check_command_reports_a_missing_catalogue(settings, tmp_path):
    settings.LOCALE_PATHS = [tmp_path]
    with pytest.raises(CommandError, match="no catalogue"):
        call_command("messages_check")
