"""Japanese first, English second: every UI message has an English translation."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "app/translations/en/LC_MESSAGES/messages.po"
MO = ROOT / "app/translations/en/LC_MESSAGES/messages.mo"


def test_every_message_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_",
         "-k", "gettext", "-o", str(pot), str(ROOT / "app")],
        check=True, capture_output=True,
    )
    wanted = {m.id for m in read_po(io.BytesIO(pot.read_bytes())) if m.id}
    catalog = {m.id: m.string for m in read_po(io.BytesIO(PO.read_bytes())) if m.id}
    assert sorted(wanted - {k for k, v in catalog.items() if v}) == []


def test_compiled_catalog_is_up_to_date():
    source = {m.id: m.string for m in read_po(io.BytesIO(PO.read_bytes())) if m.id}
    compiled = {m.id: m.string for m in read_mo(io.BytesIO(MO.read_bytes())) if m.id}
    assert compiled == source


def test_pages_are_japanese_first_with_an_english_switch(staff, login):
    client = login(staff["caseworker"])
    assert "タスク一覧" in client.get("/").get_data(as_text=True)
    client.post("/locale/en", data={"next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "Worklist" in page and "タスク一覧" not in page
