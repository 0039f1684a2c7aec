"""The Spanish catalog is complete, compiled, and used: a string a person can read with no
Spanish fails here, whether it was never marked for translation, marked and not translated,
or translated and not compiled.

- the catalog holds every string the code marks (makemessages run on a copy of the code);
- every entry has its Spanish (no empty or fuzzy entry), with the same placeholders;
- the compiled ``.mo`` says what the ``.po`` says;
- pages read in Spanish, as a member, an advisor, a state viewer and a visitor, show no
  string of the catalog in English and no run of English words (an unmarked string).
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse

from collaboratives.models import CollaborativeRole
from tests import factories
from tests import test_access_matrix as matrix

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%[sd]|\{[a-z_0-9]*\}")
COPIED = ("bsc_portal", "collaboratives", "teams", "measures", "pdsa", "reports", "templates")


def _catalog() -> polib.POFile:
    return polib.pofile(str(PO))


def test_every_entry_has_its_spanish_with_the_same_placeholders():
    missing, fuzzy, broken = [], [], []
    for entry in _catalog():
        if "fuzzy" in entry.flags:
            fuzzy.append(entry.msgid)
        translations = (list(entry.msgstr_plural.values()) if entry.msgid_plural
                        else [entry.msgstr])
        if not all(text.strip() for text in translations):
            missing.append(entry.msgid)
            continue
        wanted = sorted(set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or ""))))
        for text in translations:
            # A plural's singular may say "one" instead of its count.
            if sorted(set(PLACEHOLDER.findall(text))) != wanted and not (
                    entry.msgid_plural and set(PLACEHOLDER.findall(text)) <= set(wanted)):
                broken.append(f"{entry.msgid!r} → {text!r}")
    assert not missing, f"{len(missing)} without Spanish, e.g. {missing[:10]}"
    assert not fuzzy, f"fuzzy (unchecked) entries: {fuzzy[:10]}"
    assert not broken, f"placeholders differ: {broken[:10]}"


def test_the_compiled_catalog_says_what_the_source_says():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    def compiled_text(entry: polib.POEntry) -> str:
        if entry.msgctxt:
            return compiled.pgettext(entry.msgctxt, entry.msgid)
        return compiled.gettext(entry.msgid)

    # Untranslated entries are the test above's to report.
    stale = [entry.msgid for entry in _catalog()
             if entry.translated() and not entry.msgid_plural and compiled_text(entry) != entry.msgstr]
    assert not stale, f"run `make messages`: the .mo differs on {stale[:10]}"


def test_the_catalog_holds_every_string_the_code_marks(tmp_path):
    """makemessages on a copy of the code: any msgid it finds that the catalog lacks is a
    string added or changed since the catalog was last refreshed."""
    for name in COPIED:
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale" / "es" / "LC_MESSAGES").mkdir(parents=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location", "-v", "0"],
        cwd=tmp_path, check=True, capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "true", "BSC_VAR_DIR": str(tmp_path / "var"),
             "DJANGO_SETTINGS_MODULE": "bsc_portal.settings"},
    )
    found = {(entry.msgctxt, entry.msgid)
             for entry in polib.pofile(str(tmp_path / "locale/es/LC_MESSAGES/django.po"))}
    known = {(entry.msgctxt, entry.msgid) for entry in _catalog()}
    new = sorted(msgid for context, msgid in found - known)
    assert not new, f"{len(new)} strings not in the catalog (run `make messages`): {new[:10]}"


# --- Pages read in Spanish ----------------------------------------------------------------------

class _Text(HTMLParser):
    """The words a person reads (or hears): text, and the labels in attributes."""

    SPOKEN = ("aria-label", "title", "placeholder", "alt", "value")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        # Not read as Spanish: code, a textarea's own (user) text, and anything marked as
        # another language (the switch names English in English, lang="en").
        if tag in ("script", "style", "svg", "textarea") or (
                tag != "html" and values.get("lang") and not values["lang"].startswith("es")):
            self._skip_tags.append(tag)
            return
        if self._skip_tags:
            return
        for name in self.SPOKEN:
            if name == "value" and values.get("type") not in ("submit", "button"):
                continue
            if values.get(name):
                self.texts.append(values[name])

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tags and self._skip_tags[-1] == tag:
            self._skip_tags.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip_tags and data.strip():
            self.texts.append(data)


def _texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.texts]


# Words of English sentences that Spanish does not use; three in one text is a sentence.
ENGLISH = frozenset("""
    the and your you with this that from have has are was were will which what when there been
    yet each every their they would should could into than then only about after before month
    months team teams save edit delete cycle cycles measure measures chart report reports sign
    password email
""".split())  # noqa: SIM905 — a list of words reads better as words


def _english_run(text: str) -> bool:
    words = re.findall(r"[a-z']+", text.lower())
    return sum(word in ENGLISH for word in words) >= 3


def _english_msgids() -> set[str]:
    """Catalog strings whose Spanish differs, as a page shows them (no placeholders)."""
    return {" ".join(entry.msgid.split()) for entry in _catalog()
            if not entry.msgid_plural and "%" not in entry.msgid and "{" not in entry.msgid
            and "<" not in entry.msgid and len(entry.msgid) >= 6 and entry.msgstr
            and entry.msgstr.strip() != entry.msgid.strip()}


READERS = ("anonymous", "member_a", "advisor", "state_viewer")


@pytest.fixture
def targets(world) -> matrix.Targets:
    """The access matrix's targets (its fixture), to build each page's arguments."""
    measure = factories.MeasureFactory(collaborative=world.collaborative)
    return matrix.Targets(
        world=world, period=factories.PeriodFactory(collaborative=world.collaborative),
        coach_role=CollaborativeRole.objects.get(user=world.coach,
                                                 collaborative=world.collaborative),
        measure=measure,
        measure_value=factories.MeasureValueFactory(team=world.team_a, measure=measure))


@pytest.mark.django_db
def test_pages_read_in_spanish_show_no_english(client, targets, settings):
    settings.LANGUAGE_CODE = "en"
    english = _english_msgids()
    # Text the factories wrote (names, titles) is the users' own, in whatever language.
    found: dict[str, set[str]] = {}
    pages = 0
    for persona in READERS:
        client.logout()
        matrix.sign_in(client, targets, persona)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
        for name, row in sorted(matrix.PAGES.items()):
            if name.startswith(("api:", "admin:")) or row.outcomes.get(persona) != 200:
                continue
            try:
                with transaction.atomic():
                    url = reverse(name, kwargs=row.kwargs(targets))
            except (IntegrityError, ValidationError, NoReverseMatch):
                continue  # a builder that makes a one-off row (made once, by another persona)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            html = response.content.decode()
            assert '<html lang="es">' in html, f"{url} is not marked Spanish"
            for text in _texts(html):
                if text in english or _english_run(text):
                    found.setdefault(text, set()).add(url)
    assert pages > 60, f"only {pages} pages were read"
    report = [f"{text!r} at {sorted(urls)[:2]}" for text, urls in sorted(found.items())]
    assert not report, f"{len(report)} English texts on Spanish pages:\n" + "\n".join(report[:40])
