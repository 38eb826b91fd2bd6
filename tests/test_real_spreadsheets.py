"""The roster file through a real spreadsheet program: LibreOffice Calc opens the portal's download and saves
it again, as an employer's clerk does, and the import reads what it wrote.

Runs where LibreOffice is installed (CI installs ``libreoffice-calc-nogui``); skipped elsewhere, unless
``REQUIRE_SPREADSHEET_PROGRAM`` is set (CI sets it), when a missing program fails the test.
"""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from enrollment.models import Worker
from tests import test_spreadsheet_round_trip
from tests.test_imports import entries, import_

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None and os.environ.get("REQUIRE_SPREADSHEET_PROGRAM"):
    raise RuntimeError("LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]
US, INDONESIA = "1033", "1057"  # LibreOffice's language codes for the locale a CSV is read in
# The fixture: three workers whose record employer A keeps.
roster = test_spreadsheet_round_trip.roster


def resaved(source: Path, to: str, *, infilter: str | None = None) -> Path:
    """``source`` opened and saved again by LibreOffice (``to``: its --convert-to argument)."""
    out = source.parent / f"out-{uuid.uuid4().hex[:8]}"
    profile = source.parent / f"profile-{uuid.uuid4().hex[:8]}"
    command = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless"]
    command += [f"--infilter={infilter}"] if infilter else []
    command += ["--convert-to", to, "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)  # noqa: S603
    [written] = out.iterdir()
    return written


def downloaded(client, file_format: str, tmp_path: Path) -> Path:
    response = client.get(reverse("portal:roster_download", kwargs={"file_format": file_format}))
    path = tmp_path / f"roster.{file_format}"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def imported(path: Path, employer, user):
    return import_(ContentFile(path.read_bytes(), name=path.name), employer, user=user)


def counts(batch) -> tuple[int, int, int, int]:
    return (batch.count_new, batch.count_updated, batch.count_unchanged, batch.count_errors)


@pytest.mark.parametrize(
    ("file_format", "to"),
    [
        ("xlsx", "xlsx"),  # Calc's own XLSX: shared strings, its styles, booleans
        ("xlsx", "csv:Text - txt - csv (StarCalc):59,34,76,1"),  # re-saved as CSV, ';', UTF-8
        (
            "csv",
            "xlsx:Calc MS Excel 2007 XML",
        ),  # our CSV opened as text (the NIK column read as text)
    ],
)
def test_a_download_re_saved_by_libreoffice_changes_nothing(
    client,
    employer_a_user,
    roster,
    tmp_path,
    file_format,
    to,
):
    client.force_login(employer_a_user)
    before = list(Worker.objects.order_by("pk").values())
    source = downloaded(client, file_format, tmp_path)
    infilter = f"CSV:44,34,76,1,1/2/2/2/3/2/4/2/5/2/6/2/7/2/8/2/9/2/10/2/11/2/12/2/13/2,{INDONESIA}"
    path = resaved(source, to, infilter=infilter if file_format == "csv" else None)
    batch = imported(path, roster, employer_a_user)
    assert counts(batch) == (0, 0, 3, 0), entries(batch, "error")
    assert list(Worker.objects.order_by("pk").values()) == before


def test_a_csv_opened_with_us_settings_and_saved_again_reads_as_it_was(
    client,
    employer_a_user,
    roster,
    tmp_path,
):
    """Calc with US settings reads 05/01/2001 as 1 May and writes it back as 05/01/01, the same day and month
    in the same places; 15/03/1992 is no US date and stays text; the NIKs become numbers and are written back
    whole (16 digits fit Calc's numbers exactly). So the file reads as it was: nothing changes. (When dates
    are read day first but written month first, the import refuses the column: ``test_spreadsheet_round_trip``.)"""
    client.force_login(employer_a_user)
    before = list(Worker.objects.order_by("pk").values())
    path = resaved(
        downloaded(client, "csv", tmp_path),
        "csv:Text - txt - csv (StarCalc):44,34,76,1",
        infilter=f"CSV:44,34,76,1,,{US},false,true,true",
    )
    batch = imported(path, roster, employer_a_user)
    assert counts(batch) == (0, 0, 3, 0), entries(batch, "error")
    assert list(Worker.objects.order_by("pk").values()) == before
