"""Generate the synthetic dataset ``musterstadt-texte``: municipal documents and a question set.

Statutes (Satzungen), press releases and council minutes of the fictitious town
Musterstadt, split into paragraphs, plus citizens' questions with the paragraph
that answers them. Amounts and dates are drawn with a fixed seed; the same
sentence patterns recur with different numbers (fees of several statutes,
press releases of several years), which is what lets a small language model
mix them up. Some questions use other words than the answering paragraph.

Writes ``musterstadt-texte.csv`` (paragraphs) and ``musterstadt-fragen.csv``.

Usage: python scripts/make_musterstadt_texte.py [--out DIR]
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import _synth
import numpy as np

DATASET_ID = "musterstadt-texte"
SEED = 2026
TEXT_COLUMNS = ["dokument", "art", "titel", "datum", "absatz", "text"]
QUESTION_COLUMNS = ["frage", "dokument", "absatz", "antwort"]
MONATE = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def datum(d: dt.date) -> str:
    """German long date: 3. Mai 2025."""
    return f"{d.day}. {MONATE[d.month - 1]} {d.year}"


def euro(rng: np.random.Generator, lo: int, hi: int, step: int = 1) -> int:
    return int(rng.integers(lo // step, hi // step + 1)) * step


def tag(rng: np.random.Generator, year: int, months: tuple[int, int]) -> dt.date:
    month = int(rng.integers(months[0], months[1] + 1))
    return dt.date(year, month, int(rng.integers(1, 29)))


def documents(rng: np.random.Generator) -> tuple[list[dict], list[tuple[str, str, int, str]]]:
    """All documents (id, art, titel, datum, paragraphs) and questions (frage, dok, absatz, antwort)."""
    docs: list[dict] = []
    fragen: list[tuple[str, str, int, str]] = []

    def doc(dok: str, art: str, titel: str, when: dt.date, absaetze: list[str]) -> None:
        docs.append(
            {"dokument": dok, "art": art, "titel": titel, "datum": when, "absaetze": absaetze}
        )

    # --- Satzungen -----------------------------------------------------------------
    h1 = euro(rng, 84, 132, 6)
    h2 = h1 + euro(rng, 24, 48, 6)
    h3 = h2 + euro(rng, 12, 36, 6)
    hg = euro(rng, 480, 720, 12)
    doc(
        "hundesteuersatzung",
        "Satzung",
        "Satzung über die Erhebung der Hundesteuer in Musterstadt",
        dt.date(2024, 12, 12),
        [
            "§ 1 Steuergegenstand. Gegenstand der Steuer ist das Halten von Hunden im Stadtgebiet von Musterstadt. Steuerpflichtig ist, wer einen Hund in seinen Haushalt aufgenommen hat.",
            f"§ 2 Steuersatz. Die Steuer beträgt jährlich für den ersten Hund {h1} Euro, für den zweiten Hund {h2} Euro und für jeden weiteren Hund {h3} Euro.",
            f"§ 3 Gefährliche Hunde. Für einen gefährlichen Hund im Sinne des Landeshundegesetzes beträgt die Steuer jährlich {hg} Euro.",
            "§ 4 Steuerbefreiung. Von der Steuer befreit sind Blindenführhunde, Assistenzhunde und Hunde, die aus dem Tierheim von Musterstadt aufgenommen wurden, für die ersten zwölf Monate.",
            "§ 5 Anzeige und Fälligkeit. Wer einen Hund hält, muss ihn innerhalb von zwei Wochen bei der Stadt anmelden. Die Steuer wird am 1. Juli eines jeden Jahres fällig.",
        ],
    )
    fragen += [
        (
            "Wie viel Hundesteuer zahle ich für meinen ersten Hund?",
            "hundesteuersatzung",
            2,
            f"{h1} Euro",
        ),
        ("Was kostet die Steuer für einen zweiten Hund?", "hundesteuersatzung", 2, f"{h2} Euro"),
        (
            "Wie hoch ist die Steuer für einen gefährlichen Hund?",
            "hundesteuersatzung",
            3,
            f"{hg} Euro",
        ),
        ("Muss ich für einen Blindenführhund Steuern zahlen?", "hundesteuersatzung", 4, "nein"),
        ("Bis wann muss ich meinen neuen Hund anmelden?", "hundesteuersatzung", 5, "zwei Wochen"),
        ("Wann wird die Hundesteuer fällig?", "hundesteuersatzung", 5, "1. Juli"),
        (
            "Ich habe einen Vierbeiner aus dem Tierheim geholt. Muss ich zahlen?",
            "hundesteuersatzung",
            4,
            "nein, zwölf Monate befreit",
        ),
    ]

    rg, ug, wg, ab = (
        euro(rng, 900, 1500, 10),
        euro(rng, 500, 900, 10),
        euro(rng, 1800, 2800, 10),
        euro(rng, 250, 450, 10),
    )
    doc(
        "friedhofsgebuehrensatzung",
        "Satzung",
        "Gebührensatzung für die Friedhöfe der Stadt Musterstadt",
        dt.date(2023, 11, 30),
        [
            "§ 1 Gebührenpflicht. Für die Benutzung der Friedhöfe und ihrer Einrichtungen erhebt die Stadt Musterstadt Gebühren nach dieser Satzung.",
            f"§ 2 Grabnutzung. Die Gebühr für die Nutzung eines Reihengrabes beträgt {rg} Euro, für ein Urnengrab {ug} Euro und für ein Wahlgrab {wg} Euro. Die Nutzungszeit beträgt 25 Jahre.",
            f"§ 3 Bestattung. Die Gebühr für das Öffnen und Schließen eines Grabes beträgt {ab} Euro. Für Bestattungen an Samstagen wird ein Zuschlag von 50 Prozent erhoben.",
            "§ 4 Fälligkeit. Die Gebühren werden mit der Bekanntgabe des Gebührenbescheids fällig und sind innerhalb eines Monats zu zahlen.",
        ],
    )
    fragen += [
        ("Was kostet ein Urnengrab?", "friedhofsgebuehrensatzung", 2, f"{ug} Euro"),
        (
            "Wie lange darf ein Reihengrab genutzt werden?",
            "friedhofsgebuehrensatzung",
            2,
            "25 Jahre",
        ),
        (
            "Gibt es einen Aufpreis für eine Beerdigung am Samstag?",
            "friedhofsgebuehrensatzung",
            3,
            "50 Prozent",
        ),
        (
            "Wie viel kostet das Öffnen und Schließen eines Grabes?",
            "friedhofsgebuehrensatzung",
            3,
            f"{ab} Euro",
        ),
    ]

    rm, bt, sp = euro(rng, 150, 260, 2), euro(rng, 60, 110, 2), euro(rng, 25, 45, 5)
    doc(
        "abfallgebuehrensatzung",
        "Satzung",
        "Satzung über die Abfallgebühren in Musterstadt",
        dt.date(2024, 12, 12),
        [
            "§ 1 Gebührenpflicht. Für die Abfallentsorgung erhebt die Stadt Musterstadt Benutzungsgebühren. Gebührenpflichtig ist die Eigentümerin oder der Eigentümer des Grundstücks.",
            f"§ 2 Restabfall. Die Gebühr für eine Restmülltonne mit 120 Litern beträgt {rm} Euro jährlich bei Leerung alle zwei Wochen.",
            f"§ 3 Bioabfall. Die Gebühr für eine Biotonne mit 120 Litern beträgt {bt} Euro jährlich. Wer nachweislich selbst kompostiert, kann sich von der Biotonne befreien lassen.",
            f"§ 4 Sperrmüll. Zweimal im Jahr wird Sperrmüll auf Anmeldung kostenlos abgeholt. Jede weitere Abholung kostet {sp} Euro.",
        ],
    )
    fragen += [
        ("Was kostet die graue Tonne im Jahr?", "abfallgebuehrensatzung", 2, f"{rm} Euro"),
        (
            "Wie oft wird der Sperrmüll kostenlos abgeholt?",
            "abfallgebuehrensatzung",
            4,
            "zweimal im Jahr",
        ),
        (
            "Kann ich mich von der Biotonne befreien lassen?",
            "abfallgebuehrensatzung",
            3,
            "ja, bei Eigenkompostierung",
        ),
        ("Wie hoch ist die Gebühr für die Biotonne?", "abfallgebuehrensatzung", 3, f"{bt} Euro"),
    ]

    me, gr = euro(rng, 55, 95, 5), euro(rng, 25, 45, 1)
    doc(
        "elternbeitragssatzung",
        "Satzung",
        "Satzung über Elternbeiträge für Kindertageseinrichtungen in Musterstadt",
        dt.date(2025, 3, 20),
        [
            "§ 1 Beitragspflicht. Für die Betreuung eines Kindes in einer Kindertageseinrichtung der Stadt Musterstadt erheben wir Elternbeiträge.",
            f"§ 2 Höhe der Beiträge. Die Beiträge richten sich nach dem Jahreseinkommen der Eltern. Bei einem Einkommen bis {gr}.000 Euro ist die Betreuung beitragsfrei.",
            "§ 3 Geschwisterkinder. Besuchen mehrere Kinder einer Familie gleichzeitig eine Kindertageseinrichtung, ist nur für das älteste Kind ein Beitrag zu zahlen.",
            f"§ 4 Verpflegung. Für das Mittagessen wird zusätzlich ein Betrag von {me} Euro monatlich erhoben.",
        ],
    )
    fragen += [
        (
            "Muss ich für mein zweites Kind in der Kita auch bezahlen?",
            "elternbeitragssatzung",
            3,
            "nein",
        ),
        (
            "Was kostet das Mittagessen in der Kita?",
            "elternbeitragssatzung",
            4,
            f"{me} Euro monatlich",
        ),
        (
            "Bis zu welchem Einkommen ist die Kita kostenlos?",
            "elternbeitragssatzung",
            2,
            f"{gr}.000 Euro",
        ),
    ]

    ag, bp = euro(rng, 2, 6, 1), euro(rng, 30, 120, 10)
    doc(
        "sondernutzungssatzung",
        "Satzung",
        "Satzung über Sondernutzungen an öffentlichen Straßen in Musterstadt",
        dt.date(2022, 6, 23),
        [
            "§ 1 Erlaubnispflicht. Wer eine öffentliche Straße über den Gemeingebrauch hinaus nutzen möchte, braucht eine Erlaubnis der Stadt Musterstadt.",
            "§ 2 Antrag. Der Antrag ist spätestens vier Wochen vor Beginn der Nutzung schriftlich oder online zu stellen.",
            f"§ 3 Außengastronomie. Für Tische und Stühle vor Gaststätten beträgt die Gebühr {ag} Euro je Quadratmeter und Monat.",
            "§ 4 Werbung. Werbetafeln auf Gehwegen sind nur erlaubt, wenn eine Restbreite von 1,50 Metern frei bleibt.",
        ],
    )
    fragen += [
        (
            "Wann muss ich eine Sondernutzung beantragen?",
            "sondernutzungssatzung",
            2,
            "vier Wochen vorher",
        ),
        (
            "Was kostet ein Tisch vor meinem Café?",
            "sondernutzungssatzung",
            3,
            f"{ag} Euro je Quadratmeter und Monat",
        ),
        (
            "Darf ich einen Kundenstopper auf den Gehweg stellen?",
            "sondernutzungssatzung",
            4,
            "ja, bei 1,50 Metern Restbreite",
        ),
    ]

    doc(
        "parkgebuehrenordnung",
        "Satzung",
        "Parkgebührenordnung der Stadt Musterstadt",
        dt.date(2024, 2, 15),
        [
            "§ 1 Geltungsbereich. Diese Ordnung gilt für die gebührenpflichtigen Parkplätze in der Innenstadt von Musterstadt.",
            "§ 2 Gebühren. Die Parkgebühr beträgt 1 Euro je angefangene 30 Minuten. Die Höchstparkdauer beträgt drei Stunden.",
            f"§ 3 Bewohnerparken. Der Bewohnerparkausweis kostet {bp} Euro im Jahr und wird vom Bürgerbüro ausgestellt.",
            "§ 4 Gebührenfreie Zeiten. An Sonntagen und Feiertagen sowie werktags zwischen 20 und 8 Uhr ist das Parken gebührenfrei.",
        ],
    )
    fragen += [
        ("Was kostet der Anwohnerparkausweis?", "parkgebuehrenordnung", 3, f"{bp} Euro im Jahr"),
        (
            "Muss ich am Sonntag in der Innenstadt Parkgebühren zahlen?",
            "parkgebuehrenordnung",
            4,
            "nein",
        ),
        (
            "Wie lange darf ich in der Innenstadt höchstens parken?",
            "parkgebuehrenordnung",
            2,
            "drei Stunden",
        ),
    ]

    # --- Pressemitteilungen (several years: the same sentences with other numbers) ---
    for year in (2023, 2024, 2025):
        start = tag(rng, year, (6, 8))
        ende = start + dt.timedelta(days=2)
        doc(
            f"pm-stadtfest-{year}",
            "Pressemitteilung",
            f"Stadtfest Musterstadt {year}",
            start - dt.timedelta(days=int(rng.integers(20, 40))),
            [
                f"Das Stadtfest von Musterstadt findet vom {datum(start)} bis zum {datum(ende)} in der Altstadt statt. Die Bürgermeisterin eröffnet das Fest am Freitag um 18 Uhr.",
                f"Während des Festes ist die Marktstraße für den Verkehr gesperrt. Der Eintritt ist frei. Für die Busse gilt vom {datum(start)} an ein Sonderfahrplan.",
            ],
        )
        fragen.append(
            (
                f"Wann ist das Stadtfest {year}?",
                f"pm-stadtfest-{year}",
                1,
                f"{datum(start)} bis {datum(ende)}",
            )
        )

    for year in (2024, 2025):
        auf = tag(rng, year, (5, 5))
        ew, ek = euro(rng, 3, 5, 1), euro(rng, 1, 3, 1)
        doc(
            f"pm-freibad-{year}",
            "Pressemitteilung",
            f"Freibad Musterstadt öffnet {year}",
            auf - dt.timedelta(days=14),
            [
                f"Das Freibad von Musterstadt öffnet am {datum(auf)}. Der Eintritt beträgt {ew} Euro für Erwachsene und {ek} Euro für Kinder.",
                "Die Saisonkarte ist ab sofort im Bürgerbüro erhältlich. Bei Gewitter wird das Bad geschlossen.",
            ],
        )
        fragen.append((f"Wann öffnet das Freibad {year}?", f"pm-freibad-{year}", 1, datum(auf)))
        if year == 2025:
            fragen.append(
                (
                    "Was kostet der Eintritt ins Schwimmbad für Kinder 2025?",
                    f"pm-freibad-{year}",
                    1,
                    f"{ek} Euro",
                )
            )

    doc(
        "pm-buergerbuero",
        "Pressemitteilung",
        "Neue Öffnungszeiten im Bürgerbüro",
        dt.date(2025, 1, 8),
        [
            "Das Bürgerbüro von Musterstadt hat ab dem 1. Februar 2025 neue Öffnungszeiten: montags bis freitags von 8 bis 13 Uhr und donnerstags zusätzlich von 14 bis 18 Uhr.",
            "Termine für Personalausweis und Reisepass können online vereinbart werden. Die Gebühr für einen Personalausweis beträgt 37 Euro.",
        ],
    )
    fragen += [
        (
            "Hat das Bürgerbüro am Nachmittag geöffnet?",
            "pm-buergerbuero",
            1,
            "donnerstags 14 bis 18 Uhr",
        ),
        ("Was kostet ein neuer Personalausweis?", "pm-buergerbuero", 2, "37 Euro"),
        ("Wie bekomme ich einen Termin für den Reisepass?", "pm-buergerbuero", 2, "online"),
    ]

    s1 = tag(rng, 2025, (3, 4))
    s2 = s1 + dt.timedelta(days=int(rng.integers(20, 60)))
    doc(
        "pm-brueckenstrasse",
        "Pressemitteilung",
        "Sperrung der Brückenstraße",
        s1 - dt.timedelta(days=10),
        [
            f"Die Brückenstraße wird vom {datum(s1)} bis zum {datum(s2)} wegen Bauarbeiten an der Rheinbrücke voll gesperrt. Die Umleitung führt über die Ringstraße.",
            "Fußgängerinnen, Fußgänger und der Radverkehr können die Baustelle auf einem Notweg passieren.",
        ],
    )
    fragen += [
        (
            "Wie lange ist die Brückenstraße gesperrt?",
            "pm-brueckenstrasse",
            1,
            f"{datum(s1)} bis {datum(s2)}",
        ),
        (
            "Komme ich mit dem Fahrrad an der Baustelle an der Rheinbrücke vorbei?",
            "pm-brueckenstrasse",
            2,
            "ja, Notweg",
        ),
    ]

    # --- Ratsprotokolle -------------------------------------------------------------
    for year in (2024, 2025):
        sitzung = tag(rng, year, (9, 11))
        rad = euro(rng, 400, 900, 10)
        spiel = euro(rng, 80, 200, 5)
        doc(
            f"rat-{year}",
            "Ratsprotokoll",
            f"Niederschrift der Ratssitzung vom {datum(sitzung)}",
            sitzung,
            [
                f"TOP 1 Radweg Rheinaue. Der Rat beschließt den Bau eines Radweges entlang der Rheinaue. Die Kosten betragen {rad}.000 Euro. Der Beschluss ergeht mit 28 Ja-Stimmen bei 4 Gegenstimmen.",
                f"TOP 2 Spielplatz Lindenallee. Der Spielplatz in der Lindenallee wird für {spiel}.000 Euro saniert. Die Arbeiten sollen im Frühjahr {year + 1} beginnen.",
                f"TOP 3 Hundesteuer. Der Rat berät über die Hundesteuer. Eine Erhöhung wird auf die Sitzung im Frühjahr {year + 1} vertagt.",
            ],
        )
        fragen.append(
            (
                f"Wie teuer wird der Radweg an der Rheinaue laut Ratsbeschluss {year}?",
                f"rat-{year}",
                1,
                f"{rad}.000 Euro",
            )
        )
    fragen.append(
        ("Wann wird der Spielplatz in der Lindenallee erneuert?", "rat-2025", 2, "Frühjahr 2026")
    )
    return docs, fragen


def generate() -> tuple[list[list[str]], list[list[str]]]:
    rng = np.random.default_rng(SEED)
    docs, fragen = documents(rng)
    rows = []
    for d in docs:
        for i, text in enumerate(d["absaetze"], start=1):
            rows.append(
                [d["dokument"], d["art"], _q(d["titel"]), d["datum"].isoformat(), str(i), _q(text)]
            )
    questions = [[_q(f), dok, str(a), _q(antwort)] for f, dok, a, antwort in fragen]
    return rows, questions


def _q(text: str) -> str:
    """Quote a CSV field (the texts contain commas)."""
    return '"' + text.replace('"', '""') + '"'


def write(out: Path) -> Path:
    rows, questions = generate()
    _synth.write_csv(out, "musterstadt-fragen", QUESTION_COLUMNS, questions)
    return _synth.write_csv(out, DATASET_ID, TEXT_COLUMNS, rows)


if __name__ == "__main__":
    _synth.main(DATASET_ID, __doc__.splitlines()[0], write)
