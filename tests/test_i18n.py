"""Indonesian by default, English available, and the Indonesian catalogue complete and compiled."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO_FILE = Path(settings.BASE_DIR) / "locale" / "id" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(
    r'(?P<comments>(?:#[^\n]*\n)*)(?:msgctxt (?P<ctxt>"[^\n]*"\n))?'
    r'msgid (?P<id>(?:"(?:[^"\\]|\\.)*"\n)+)(?:msgid_plural (?P<plural>(?:"(?:[^"\\]|\\.)*"\n)+))?'
    r"(?P<strs>(?:msgstr(?:\[\d\])? (?:\"(?:[^\"\\]|\\.)*\"\n?)+)+)"
)


def _unquote(block: str) -> str:
    return "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', block))


def catalogue_entries() -> list[dict]:
    entries = []
    for match in ENTRY.finditer(PO_FILE.read_text(encoding="utf-8")):
        msgid = _unquote(match["id"])
        if not msgid:
            continue  # the header
        strs = re.findall(r'msgstr(?:\[\d\])? ((?:"(?:[^"\\]|\\.)*"\n?)+)', match["strs"])
        entries.append(
            {
                "msgid": msgid,
                "context": _unquote(match["ctxt"]) if match["ctxt"] else None,
                "plural": match["plural"] is not None,
                "msgstrs": [_unquote(s) for s in strs],
                "fuzzy": "fuzzy" in match["comments"],
            }
        )
    return entries


def test_the_catalogue_has_entries():
    assert len(catalogue_entries()) > 100


def test_every_string_has_an_indonesian_translation():
    missing = [e["msgid"] for e in catalogue_entries() if e["fuzzy"] or not all(e["msgstrs"])]
    assert missing == []


def test_the_compiled_catalogue_matches_the_source():
    stale = []
    with translation.override("id"):
        for entry in catalogue_entries():
            if entry["plural"]:
                continue
            if entry["context"]:
                shown = translation.pgettext(entry["context"], entry["msgid"])
            else:
                shown = translation.gettext(entry["msgid"])
            if shown != entry["msgstrs"][0]:
                stale.append(entry["msgid"])
    assert stale == [], "run `make messages` to compile locale/id"


def test_indonesian_is_the_default_language(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "id"
    assert "Masuk" in response.content.decode()


@pytest.mark.django_db
def test_english_is_available(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/admin/login/"}, follow=True
    )
    assert response.headers["Content-Language"] == "en"
    assert "Log in" in response.content.decode()
