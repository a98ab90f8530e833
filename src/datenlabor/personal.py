"""Columns that look like personal data (names, e-mail, phone, street addresses).

Used by the quality profile so that the person who loaded a file learns,
before anything is shared, which columns need a look under the DSGVO.
Detection is a heuristic from column names and values; it flags for a human
to check and never removes anything itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .columns import normalise

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

_NAME_WORDS = {
    "name": "Name",
    "vorname": "Name",
    "nachname": "Name",
    "familienname": "Name",
    "person": "Name",
    "ansprechpartner": "Name",
    "ansprechperson": "Name",
    "sachbearbeiter": "Name",
    "sachbearbeitung": "Name",
    "bearbeiter": "Name",
    "responsible": "Name",
    "melder": "Name",
    "email": "E-Mail",
    "e_mail": "E-Mail",
    "mail": "E-Mail",
    "telefon": "Telefonnummer",
    "tel": "Telefonnummer",
    "phone": "Telefonnummer",
    "mobil": "Telefonnummer",
    "handy": "Telefonnummer",
    "adresse": "Anschrift",
    "anschrift": "Anschrift",
    "address": "Anschrift",
    "address_input": "Anschrift",
    "strasse": "Anschrift",
    "geburtsdatum": "Geburtsdatum",
    "iban": "Bankverbindung",
}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"^\s*(\+|0)[\d ()/-]{6,}\d\s*$")
_STREET = re.compile(
    r"[a-zäöüß]+(?:strasse|straße|str\.|weg|platz|allee|gasse|ring|damm|ufer)\s*\d+", re.IGNORECASE
)
_PERSON = re.compile(r"\b(?:Herr|Frau|Sachbearbeitung|Sachbearbeiter(?:in)?)\s+[A-ZÄÖÜ][a-zäöüß]+")

DSGVO_NOTE = (
    "Diese Spalten sehen nach personenbezogenen Daten aus (DSGVO Art. 4 Nr. 1: alles, was sich "
    "auf eine bestimmte oder bestimmbare Person bezieht – auch eine Anschrift oder eine "
    "dienstliche Telefonnummer). Bitte prüfen, bevor die Datei oder ein Ergebnis weitergegeben "
    "oder veröffentlicht wird: nur verarbeiten, was für den Zweck nötig ist (Datenminimierung, "
    "Art. 5 Abs. 1 Buchst. c), diese Spalten vorher entfernen oder vergröbern, und im Zweifel "
    "die oder den Datenschutzbeauftragten fragen. Die Analyse-Labs verwenden diese Spalten "
    "nicht; nur das Qualitätsprofil zeigt sie der Person, die die Datei geladen hat."
)


def personal_columns(df: pd.DataFrame, sample: int = 500) -> dict[str, str]:
    """Column → German reason (``"Name (Spaltenname)"``, ``"E-Mail (Werte)"`` …).

    Checks the normalised column name against known words, then up to
    ``sample`` text values against e-mail, phone, street-address and
    "Herr/Frau/Sachbearbeitung Name" patterns (one e-mail or name suffices,
    since a single one is personal data; addresses and phone numbers when most
    values are such, so free text mentioning a street is not flagged).
    """
    found: dict[str, str] = {}
    for column in df.columns:
        key = normalise(column)
        parts = set(key.split("_"))
        hit = _NAME_WORDS.get(key) or next(
            (_NAME_WORDS[p] for p in parts if p in _NAME_WORDS), None
        )
        if hit:
            found[str(column)] = f"{hit} (Spaltenname)"
            continue
        values = df[column].dropna()
        if values.empty or values.dtype.kind in "iufbM":
            continue
        text = values.astype(str).head(sample)
        if text.str.contains(_EMAIL).any():
            found[str(column)] = "E-Mail (Werte)"
        elif text.str.contains(_PERSON).any():
            found[str(column)] = "Name (Werte)"
        elif text.str.match(_STREET).mean() > 0.5:  # most values start with street and number
            found[str(column)] = "Anschrift (Werte)"
        elif text.str.match(_PHONE).mean() > 0.5:
            found[str(column)] = "Telefonnummer (Werte)"
    return found
