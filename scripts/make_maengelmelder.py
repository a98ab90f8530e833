"""Generate the synthetic dataset ``maengelmelder``: citizen reports and the responsible department.

Reports are built from templates x street names x phrasings, then roughened the
way real reports are: typos, colloquial and Rhineland dialect variants, reports
that could belong to two departments, and a few wrongly routed labels.

Usage: python scripts/make_maengelmelder.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np

SEED = 2026
N_ROWS = 3000
LABEL_NOISE = 0.05  # share of reports routed to a wrong department in the records
START = dt.date(2024, 1, 1)
END = dt.date(2025, 12, 31)

# Street names that all take "in der", so the templates stay grammatical.
STRASSEN = [
    "Goethestraße",
    "Schillerstraße",
    "Bahnhofstraße",
    "Hauptstraße",
    "Kirchstraße",
    "Lindenallee",
    "Marktstraße",
    "Rosenstraße",
    "Buchenallee",
    "Eichendorffstraße",
    "Kantstraße",
    "Mühlenstraße",
    "Parkstraße",
    "Schulstraße",
    "Friedhofstraße",
    "Ringstraße",
    "Gartenstraße",
    "Berliner Straße",
    "Kölner Straße",
    "Wiesenstraße",
    "Brückenstraße",
    "Uhlandstraße",
    "Feldstraße",
    "Talstraße",
    "Hohe Straße",
]
STADTTEILE = ["Altstadt", "Nordviertel", "Südstadt", "Am Hang", "Rheinaue", "Neubaugebiet West"]

ZEIT = [
    "seit Tagen",
    "seit gestern",
    "seit einer Woche",
    "schon wieder",
    "seit heute Morgen",
    "seit dem Wochenende",
    "seit Wochen",
    "",
    "",
    "",
]
BITTE = [
    "Bitte kümmern Sie sich darum.",
    "Bitte beheben.",
    "Danke!",
    "Bitte schnell reparieren.",
    "Das ist gefährlich!",
    "Bitte mal nachsehen.",
    "",
    "",
    "",
    "",
]

# Category -> (share, templates). {ort} = street, {zeit} = since when.
KATEGORIEN: dict[str, tuple[float, list[str]]] = {
    "Straßen und Verkehr": (
        0.26,
        [
            "Großes Schlagloch in der {ort} {zeit}",
            "In der {ort} ist ein tiefes Loch in der Fahrbahn",
            "Gehweg in der {ort} ist abgesackt, Stolpergefahr",
            "Ampel an der Kreuzung {ort} fällt {zeit} aus",
            "Verkehrsschild in der {ort} umgefahren",
            "Bordstein in der {ort} lose, Fahrradfahrer stürzen",
            "Fahrbahnmarkierung in der {ort} kaum noch zu sehen",
            "Gullydeckel in der {ort} klappert und steht hoch",
            "Radweg {ort} voller Risse und Wurzelaufbrüche",
            "Pflastersteine auf dem Gehweg {ort} locker",
            "Baustellenabsperrung in der {ort} steht {zeit} ohne Baustelle",
            "Zebrastreifen in der {ort} ist verblasst",
        ],
    ),
    "Beleuchtung": (
        0.17,
        [
            "Straßenlaterne in der {ort} {zeit} aus",
            "Laterne vor Hausnummer 12 in der {ort} flackert",
            "In der {ort} ist es nachts komplett dunkel, alle Lampen aus",
            "Straßenbeleuchtung {ort} brennt auch tagsüber",
            "Lampe am Fußweg {ort} defekt",
            "Leuchte an der Bushaltestelle {ort} geht nicht",
            "Mehrere Laternen in der {ort} funktionieren {zeit} nicht",
            "Lampenmast in der {ort} ist schief und die Abdeckung fehlt",
        ],
    ),
    "Abfall": (
        0.20,
        [
            "Wilder Müll in der {ort}",
            "Sperrmüll liegt {zeit} am Straßenrand {ort}",
            "Altglascontainer in der {ort} quillt über",
            "Mülleimer an der Bushaltestelle {ort} ist voll",
            "Jemand hat Bauschutt in der {ort} abgeladen",
            "Gelbe Säcke in der {ort} nicht abgeholt",
            "Überall Zigarettenkippen und Flaschen in der {ort}",
            "Alte Reifen illegal entsorgt in der {ort}",
            "Kühlschrank wurde in der {ort} abgestellt",
            "Papierkorb {ort} seit Tagen nicht geleert",
        ],
    ),
    "Grünflächen": (
        0.16,
        [
            "Hecke in der {ort} wächst über den Gehweg",
            "Ast droht in der {ort} abzubrechen",
            "Baum in der {ort} ist umgestürzt",
            "Rasen im Park an der {ort} wird nicht gemäht",
            "Unkraut auf dem Grünstreifen {ort} kniehoch",
            "Blumenbeet in der {ort} verwildert",
            "Straßenbaum {ort} hat totes Holz in der Krone",
            "Wurzeln und Büsche am Weg {ort} versperren die Sicht",
            "Laub liegt {zeit} in der Grünanlage {ort}",
        ],
    ),
    "Lärm und Ordnung": (
        0.11,
        [
            "Nächtlicher Lärm von Partys in der {ort}",
            "Auto parkt {zeit} auf dem Gehweg in der {ort}",
            "Lautstarke Musik jede Nacht in der {ort}",
            "Schrottauto ohne Kennzeichen in der {ort} abgestellt",
            "Hunde bellen ständig, Hundekot überall in der {ort}",
            "Falschparker blockieren die Einfahrt {ort}",
            "Baulärm am Sonntag in der {ort}",
            "Jugendliche randalieren nachts an der {ort}",
        ],
    ),
    "Spielplätze": (
        0.075,
        [
            "Schaukel auf dem Spielplatz {ort} ist kaputt",
            "Rutsche am Spielplatz {ort} hat scharfe Kanten",
            "Sandkasten am Spielplatz {ort} verunreinigt",
            "Klettergerüst auf dem Spielplatz {ort} wackelt",
            "Wippe am Spielplatz {ort} ist abgebrochen",
            "Glasscherben im Sand am Spielplatz {ort}",
            "Zaun vom Spielplatz {ort} beschädigt, Kinder laufen auf die Straße",
        ],
    ),
    # The rare category: few reports, so the model sees few examples.
    "Gewässer": (
        0.025,
        [
            "Bach an der {ort} ist verstopft und tritt über die Ufer",
            "Ölfilm auf dem Teich im Park",
            "Tote Fische im Weiher hinter der {ort}",
            "Uferböschung am Mühlenbach rutscht ab",
            "Brunnen in der {ort} läuft über",
            "Graben neben der {ort} voller Schlamm, Wasser staut sich",
            "Biber hat am Bach Bäume angenagt, Ufer bricht weg",
            "Schaum und komischer Geruch im Stadtweiher",
        ],
    ),
}

# Colloquial and Rhineland-dialect rewrites of whole reports (category, text).
UMGANGSSPRACHE: dict[str, list[str]] = {
    "Straßen und Verkehr": [
        "Dat Loch in der {ort} is riesig, da fällste rein",
        "Straße in der {ort} is total im Eimer",
        "Ampel {ort} spinnt {zeit}",
        "Da is ne Riesenbeule im Asphalt {ort}",
    ],
    "Beleuchtung": [
        "Dat Licht in der {ort} jeht nit",
        "Laterne {ort} is hin",
        "Lampe is aus, man sieht nix {ort}",
        "Funzel an der {ort} flackert wie in der Disco",
    ],
    "Abfall": [
        "Da liegt jede Menge Zeug rum in der {ort}",
        "Müll ohne Ende {ort}, ekelhaft",
        "Irgendwer hat sein Gerümpel in der {ort} abgeladen",
        "Dreck un Dreck {ort}",
    ],
    "Grünflächen": [
        "Dat Gestrüpp in der {ort} is viel zu hoch",
        "Baum {ort} sieht aus, als kippt der gleich um",
        "Wiese {ort} is ne Wildnis",
    ],
    "Lärm und Ordnung": [
        "Jede Nacht Radau in der {ort}",
        "Die Kiste steht {zeit} aufm Bürgersteig {ort}",
        "Nachbarn machen Krach bis drei Uhr {ort}",
    ],
    "Spielplätze": [
        "Schaukel am Spieli {ort} is kaputt",
        "Auf dem Spielplatz {ort} is alles morsch",
    ],
    "Gewässer": [
        "Dat Bächle an der {ort} stinkt fürchterlich",
    ],
}

# Reports that touch two departments; the recorded label is one of them.
MEHRDEUTIG: list[tuple[str, list[str], str]] = [
    ("Müll liegt auf dem Spielplatz {ort}", ["Abfall", "Spielplätze"], "Abfall"),
    ("Glasscherben auf dem Radweg {ort}", ["Abfall", "Straßen und Verkehr"], "Abfall"),
    ("Ast liegt auf der Fahrbahn {ort}", ["Grünflächen", "Straßen und Verkehr"], "Grünflächen"),
    ("Baum verdeckt die Laterne in der {ort}", ["Grünflächen", "Beleuchtung"], "Grünflächen"),
    (
        "Ampel und Laterne an der {ort} sind dunkel",
        ["Straßen und Verkehr", "Beleuchtung"],
        "Beleuchtung",
    ),
    (
        "Lärm und Müll am Spielplatz {ort} jede Nacht",
        ["Lärm und Ordnung", "Spielplätze", "Abfall"],
        "Lärm und Ordnung",
    ),
    (
        "Wasser steht nach Regen auf der Straße {ort}",
        ["Straßen und Verkehr", "Gewässer"],
        "Straßen und Verkehr",
    ),
    (
        "Büsche am Spielplatz {ort} wuchern auf die Rutsche",
        ["Grünflächen", "Spielplätze"],
        "Spielplätze",
    ),
]

# A wrongly routed report usually lands in a neighbouring department, not anywhere.
VERWECHSLUNG = {
    "Straßen und Verkehr": ["Beleuchtung", "Lärm und Ordnung", "Grünflächen"],
    "Beleuchtung": ["Straßen und Verkehr"],
    "Abfall": ["Grünflächen", "Lärm und Ordnung", "Spielplätze"],
    "Grünflächen": ["Abfall", "Spielplätze", "Straßen und Verkehr"],
    "Lärm und Ordnung": ["Abfall", "Straßen und Verkehr"],
    "Spielplätze": ["Grünflächen", "Abfall"],
    "Gewässer": ["Grünflächen", "Straßen und Verkehr"],
}

NACHBARTASTEN = {
    "a": "sq",
    "e": "wr",
    "i": "uo",
    "o": "ip",
    "u": "zi",
    "n": "bm",
    "r": "et",
    "t": "rz",
    "s": "ad",
    "l": "kö",
    "h": "gj",
    "c": "xv",
    "g": "fh",
    "m": "n",
    "d": "sf",
}


def tippfehler(text: str, rng: np.random.Generator) -> str:
    """One or two typing mistakes: swap, drop, double or hit a neighbouring key."""
    chars = list(text)
    for _ in range(int(rng.integers(1, 3))):
        positions = [i for i, c in enumerate(chars) if c.isalpha()]
        if len(positions) < 4:
            break
        i = int(rng.choice(positions[1:-1]))
        kind = rng.integers(4)
        if kind == 0 and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif kind == 1:
            del chars[i]
        elif kind == 2:
            chars.insert(i, chars[i])
        else:
            near = NACHBARTASTEN.get(chars[i].lower())
            if near:
                chars[i] = near[int(rng.integers(len(near)))]
    return "".join(chars)


def schreibweise(text: str, rng: np.random.Generator) -> str:
    """How people type on a phone: lower case, missing umlauts, no punctuation, capitals."""
    r = rng.random()
    if r < 0.15:
        text = text.lower()
    elif r < 0.2:
        text = text.upper()
    if rng.random() < 0.1:
        for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
            text = text.replace(a, b).replace(a.upper(), b.capitalize())
    if rng.random() < 0.15:
        text = text.rstrip(".!") + "!!!"
    return text


def fill(template: str, rng: np.random.Generator) -> str:
    text = template.format(
        ort=STRASSEN[int(rng.integers(len(STRASSEN)))], zeit=ZEIT[int(rng.integers(len(ZEIT)))]
    )
    text = " ".join(text.split())
    bitte = BITTE[int(rng.integers(len(BITTE)))]
    return f"{text}. {bitte}".strip() if bitte else text


def generate(rng: np.random.Generator, keep_truth: bool = False) -> list[dict[str, str]]:
    """Draw the reports; ``keep_truth`` adds ``richtig`` (the department before a wrong routing).

    The true department is what the lab "Bürgeranliegen zuordnen" cannot see; its tests use it
    to count how many of the model's "errors" are wrong labels. It is never written.
    """
    names = list(KATEGORIEN)
    shares = np.array([KATEGORIEN[k][0] for k in names])
    shares = shares / shares.sum()
    days = (END - START).days + 1
    rows = []
    for _ in range(N_ROWS):
        r = rng.random()
        if r < 0.10:
            template, options, kategorie = MEHRDEUTIG[int(rng.integers(len(MEHRDEUTIG)))]
            # Two clerks would route some of these differently.
            if rng.random() < 0.4:
                kategorie = options[int(rng.integers(len(options)))]
        else:
            kategorie = names[int(rng.choice(len(names), p=shares))]
            pool = KATEGORIEN[kategorie][1]
            if r < 0.25 and kategorie in UMGANGSSPRACHE:
                pool = UMGANGSSPRACHE[kategorie]
            template = pool[int(rng.integers(len(pool)))]
        text = fill(template, rng)
        if rng.random() < 0.35:
            text = tippfehler(text, rng)
        text = schreibweise(text, rng)
        richtig = kategorie
        if rng.random() < LABEL_NOISE:
            falsch = VERWECHSLUNG[kategorie]
            kategorie = falsch[int(rng.integers(len(falsch)))]
        datum = START + dt.timedelta(days=int(rng.integers(days)))
        rows.append(
            {
                "datum": datum.isoformat(),
                "stadtteil": STADTTEILE[int(rng.integers(len(STADTTEILE)))],
                "text": text,
                "kategorie": kategorie,
                **({"richtig": richtig} if keep_truth else {}),
            }
        )
    rows.sort(key=lambda row: row["datum"])  # stable: same-day order stays as generated
    return rows


def to_csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=["datum", "stadtteil", "text", "kategorie"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parents[1] / "datasets" / "maengelmelder"
    parser.add_argument("--out", type=Path, default=default_out, help="Zielordner der CSV-Datei")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = generate(np.random.default_rng(SEED))
    (args.out / "maengelmelder.csv").write_bytes(to_csv(rows))


if __name__ == "__main__":
    main()
