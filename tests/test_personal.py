"""Columns that look like personal data are flagged for the quality profile."""

from __future__ import annotations

import pandas as pd

import datenlabor
from datenlabor.personal import DSGVO_NOTE, personal_columns
from tests.helpers import fixture_path


def test_names_mail_phone_and_addresses_are_flagged():
    df = pd.DataFrame(
        {
            "x": ["a@b.de", None],
            "Kontakt": ["0221 123456", "+49 221 98765"],
            "Bearbeitung": ["Frau Müller", "Tiefbauamt"],
            "Ort": ["Hauptstraße 5", "Am Markt 1"],
            "Bemerkung": ["Loch in der Schulstrasse 12", "Laterne defekt"],
            "Anzahl": [1, 2],
        }
    )
    found = personal_columns(df)
    assert found["x"] == "E-Mail (Werte)"
    assert found["Kontakt"] == "Telefonnummer (Werte)"
    assert found["Bearbeitung"] == "Name (Werte)"
    assert "Bemerkung" not in found and "Anzahl" not in found  # free text naming a street
    assert "DSGVO" in DSGVO_NOTE


def test_portal_export_staff_and_address_columns_are_flagged():
    df = datenlabor.read_csv(fixture_path("eigene-daten", "maengelmelder-export.csv"), convert=True)
    found = personal_columns(df)
    assert set(found) == {"responsible", "address_input"}


def test_upload_report_names_personal_columns():
    from datenlabor import upload

    csv = fixture_path("eigene-daten", "maengelmelder-export.csv")
    df, info = upload.read_upload({"name": csv.name, "content": csv.read_bytes()})
    text = upload.report_html(df, info, "Qualitätsprofil")
    assert "Möglicher Personenbezug" in text and "„responsible“" in text and "DSGVO" in text
