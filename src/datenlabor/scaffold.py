"""``datenlabor neu SLUG``: a complete, working lab skeleton in one step.

Creates, next to the existing labs,

* ``labs/<slug>/<slug>.ipynb`` – a short lesson with the six headings
  (Worum geht es? → Daten → Ausprobieren → Ergebnis ansehen → Grenzen und
  Fragen → Weiter geht's), a parameters cell, recorded metrics and an app section,
* ``labs/<slug>/lab.yaml`` – metadata, parameter rules, CI parameters, metric ranges,
* ``datasets/<slug>/`` – a Frictionless package marked synthetic, with its CSV,
* ``scripts/make_<slug_underscored>.py`` – the seeded generator of that CSV,
* ``tests/labs/test_<slug_underscored>.py`` – dataset, generator, notebook and app tests.

Everything is checked before the first file is written; if writing fails
half-way, the files written so far are removed again. The skeleton passes
``datenlabor check`` as it is, so a municipality can start from a green state
and replace the example analysis step by step.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from .certificate import AI_TOPICS
from .errors import EXIT_USAGE, DatenlaborError
from .paths import datasets_dir, labs_dir, project_root, write_atomic

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 40


class ScaffoldError(DatenlaborError):
    """Raised when a lab skeleton cannot be created because of its name (bad or taken)."""

    exit_code = EXIT_USAGE


def check_slug(slug: str) -> str:
    """Return ``slug`` if it can name a new lab; raise :class:`ScaffoldError` otherwise.

    Allowed: lower-case ASCII letters, digits and single hyphens, starting with
    a letter, at most 40 characters (it becomes a folder, a URL and a file name).
    """
    if not slug or len(slug) > MAX_SLUG_LENGTH or not SLUG_PATTERN.match(slug):
        hint = ""
        if re.search(r"[äöüß]", slug or ""):
            hint = " Umlaute bitte umschreiben (ä → ae, ö → oe, ü → ue, ß → ss)."
        raise ScaffoldError(
            f"„{slug}“ ist kein gültiger Name für ein Lab. Erlaubt sind Kleinbuchstaben, Ziffern "
            f"und einzelne Bindestriche, am Anfang ein Buchstabe, höchstens {MAX_SLUG_LENGTH} "
            f"Zeichen, z. B. „parkplaetze-zaehlen“.{hint}"
        )
    return slug


def title_from_slug(slug: str) -> str:
    """``"parkplaetze-zaehlen"`` → ``"Parkplaetze zaehlen"`` (a start; edit lab.yaml later)."""
    words = slug.split("-")
    return " ".join([words[0].capitalize(), *words[1:]])


def planned_files(slug: str, title: str | None = None) -> dict[Path, str]:
    """Every file of the skeleton as path → text (the CSV is produced by the generator)."""
    title = title or title_from_slug(slug)
    module = slug.replace("-", "_")
    root = project_root()
    lab = labs_dir() / slug
    data = datasets_dir() / slug
    return {
        lab / f"{slug}.ipynb": _notebook(slug, title),
        lab / "lab.yaml": _lab_yaml(slug, title),
        data / "datapackage.json": _datapackage(slug, title),
        root / "scripts" / f"make_{module}.py": _generator(slug, module),
        root / "tests" / "labs" / f"test_{module}.py": _test_file(slug, module, title),
    }


def create_lab(slug: str, title: str | None = None) -> list[Path]:
    """Create the skeleton of lab ``slug``; returns the created files (CSV last).

    Raises :class:`ScaffoldError` (exit code 2) with a German message if the name
    is invalid or any of the files or folders exists already (nothing is
    overwritten); :class:`DatenlaborError` if writing or running the generator
    fails (then nothing is left behind).
    """
    check_slug(slug)
    if title is not None and not title.strip():
        raise ScaffoldError("Der Titel darf nicht leer sein.")
    files = planned_files(slug, title.strip() if title else None)
    folders = [labs_dir() / slug, datasets_dir() / slug]
    taken = [f for f in folders if f.exists()]
    taken += [p for p in files if p.exists() and p.parent not in taken]
    if taken:
        raise ScaffoldError(
            f"Das Lab „{slug}“ lässt sich nicht anlegen, weil es schon gibt: "
            f"{', '.join(relative_path(p) for p in dict.fromkeys(taken))}. Bitte einen anderen Namen wählen."
        )
    generator = next(p for p in files if p.name.startswith("make_"))
    if not (generator.parent / "_synth.py").is_file():
        raise ScaffoldError(
            f"{relative_path(generator.parent / '_synth.py')} fehlt; der Generator braucht es."
        )
    written: list[Path] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
            written.append(path)
        csv = datasets_dir() / slug / f"{slug}.csv"
        result = subprocess.run(
            [sys.executable, str(generator), "--out", str(csv.parent)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0 or not csv.is_file():
            raise DatenlaborError(
                f"Der Generator {relative_path(generator)} ist fehlgeschlagen: "
                f"{(result.stderr or result.stdout).strip().splitlines()[-1:] or '?'}"
            )
        written.append(csv)
    except (OSError, subprocess.SubprocessError, DatenlaborError) as exc:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for folder in folders:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        if isinstance(exc, DatenlaborError):
            raise
        raise DatenlaborError(f"Das Lab „{slug}“ ließ sich nicht anlegen: {exc}") from None
    return written


def relative_path(path: Path) -> str:
    """``path`` relative to the project root for messages (absolute if outside)."""
    try:
        return str(path.relative_to(project_root()))
    except ValueError:
        return str(path)


# --- templates -------------------------------------------------------------------


def _cell(kind: str, text: str, tags: list[str] | None = None) -> dict:
    lines = text.strip("\n").split("\n")
    source = [line + "\n" for line in lines[:-1]] + [lines[-1]]
    cell: dict = {"cell_type": kind, "metadata": {"tags": tags} if tags else {}, "source": source}
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def _notebook(slug: str, title: str) -> str:
    cells = [
        _cell(
            "markdown",
            f"""# {title}

## Worum geht es?

*Beschreiben Sie hier in zwei, drei Sätzen, welche Frage aus dem Verwaltungsalltag dieser
Experimentierraum beantwortet.* Als Vorlage zeigt er, wie viele Vorgänge es je Stadtteil und
Jahr gab, und hebt einen Stadtteil hervor.

**Sie lernen hier:**
- wie man einen Datensatz lädt und prüft,
- wie man ein Ergebnis zeigt und eine Kennzahl festhält,
- wo die Grenzen der Auswertung liegen.

**Dauer:** etwa 30 Minuten. **Vorwissen:** keines.""",
        ),
        _cell(
            "markdown",
            """**Einstellungen.** Die folgende Zelle enthält alle Stellschrauben dieses
Experimentierraums. In der App erscheinen sie als Eingabefelder und Auswahllisten.""",
            tags=["nur-notebook"],
        ),
        _cell(
            "code",
            """stadtteil: str = "Altstadt"  # Stadtteil, der im Diagramm hervorgehoben wird
daten: str = ""  # Eigene CSV-Datei im Aufbau der Beispieldaten; leer für Beispieldaten
lesen: str = ""  # Leseoptionen für eigene Daten, z. B. Kopfzeile oder Dezimalzeichen (Aufbau: datenlabor params); leer: automatisch erkennen
spalten: str = ""  # Spaltenzuordnung für eigene Daten, Paare ziel und quelle (Aufbau und Vorschlag: datenlabor daten pruefen); leer: automatisch""",
            tags=["parameters"],
        ),
        _cell(
            "code",
            f"""from IPython.display import HTML, display

import datenlabor
from datenlabor import app, plotting
from datenlabor.datasets import is_synthetic

app.lab("{slug}")""",
        ),
        _cell(
            "markdown",
            f"""## Daten

Jede Zeile nennt einen Stadtteil, ein Jahr und die Zahl der Vorgänge in diesem Jahr. Die
mitgelieferten Daten sind **synthetisch**: Das Skript `scripts/make_{slug.replace("-", "_")}.py`
erzeugt sie mit festem Zufall. Mit dem Parameter `daten` laden Sie eigene Daten im selben Aufbau.""",
        ),
        _cell(
            "code",
            f"""tabelle = datenlabor.load("{slug}", path=daten, lesen=lesen, spalten=spalten)
if not daten and is_synthetic("{slug}"):
    display(HTML("<p><strong>Hinweis:</strong> Dies sind erfundene Beispieldaten.</p>"))
datenlabor.record("anzahl_zeilen", int(len(tabelle)), label="Anzahl Zeilen")
datenlabor.table(tabelle.head(), caption="Die ersten Zeilen der Daten")""",
        ),
        _cell(
            "markdown",
            """## Ausprobieren

Wählen Sie einen Stadtteil: Das Diagramm zeigt die Vorgänge je Jahr, der gewählte Stadtteil
ist hervorgehoben.""",
        ),
        _cell(
            "markdown",
            """Die Funktion `zeige_stadtteil` zeichnet das Diagramm; `app.interact` macht aus dem
Parameter und den Regeln in `lab.yaml` das Bedienelement der App.""",
            tags=["nur-notebook"],
        ),
        _cell(
            "code",
            """def zeige_stadtteil(stadtteil):
    summe = tabelle.groupby("stadtteil")["anzahl"].sum().sort_values()
    if stadtteil not in summe.index:
        display(HTML("<p>Diesen Stadtteil gibt es in den Daten nicht.</p>"))
        return
    farben = [plotting.PALETTE[1] if s == stadtteil else plotting.PALETTE[0] for s in summe.index]
    fig, ax = plotting.figure()
    ax.barh(summe.index, summe.values, color=farben)
    ax.set_xlabel("Vorgänge in allen Jahren")
    anteil = 100 * summe[stadtteil] / summe.sum()
    plotting.show(
        fig,
        alt=f"Balkendiagramm der Vorgänge je Stadtteil; {stadtteil} hat "
        f"{plotting.number(anteil, 1)} % aller Vorgänge.",
    )
    display(
        HTML(
            f'<p class="datenlabor-ergebnis">{stadtteil}: {plotting.number(anteil, 1)} % '
            "aller Vorgänge</p>"
        )
    )


app.interact(zeige_stadtteil, stadtteil=stadtteil)""",
        ),
        _cell(
            "markdown",
            """## Ergebnis ansehen

Wie viele Vorgänge gab es im Mittel je Stadtteil und Jahr? Die Kennzahl wird festgehalten, damit
Tests und Läufe sie prüfen können.""",
        ),
        _cell(
            "code",
            """mittel = tabelle.groupby(["stadtteil", "jahr"])["anzahl"].sum().mean()
datenlabor.record("mittlere_anzahl", float(mittel), label="Vorgänge je Stadtteil und Jahr")""",
        ),
        *_exercise_cells(slug),
        _cell(
            "markdown",
            """## Grenzen und Fragen

- *Was kann diese Auswertung nicht zeigen?* Zum Beispiel: Unterschiede in der Einwohnerzahl der
  Stadtteile sind nicht berücksichtigt.
- *Welche Fragen sollten sich Lernende stellen, bevor sie dem Ergebnis trauen?*""",
        ),
        _cell(
            "markdown",
            """## Weiter geht's

- Laden Sie eigene Daten mit den Spalten `stadtteil`, `jahr`, `anzahl` über den Parameter `daten`.
- *Verweisen Sie hier auf passende andere Experimentierräume.*

**Zusammenfassung:** *Ein Satz, was man hier gelernt hat.*""",
        ),
        _cell("code", "app.abschluss()  # Wissensfragen und Teilnahmebestätigung"),
    ]
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {
                "display_name": "Datenlabor (Python 3)",
                "language": "python",
                "name": "datenlabor",
            },
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _exercise_cells(slug: str) -> list[dict]:
    """The Aufgaben section: two exercises with solution and self-check (all notebook-only).

    Their expected answers are declared under ``aufgaben`` in lab.yaml; ``datenlabor
    aufgaben SLUG`` writes the exercise notebook with the solutions replaced.
    """
    only = ["nur-notebook"]
    return [
        _cell(
            "markdown",
            f"""## Aufgaben

Üben Sie mit den Daten dieses Notebooks. Im Aufgaben-Notebook (`datenlabor aufgaben {slug}`)
stehen an Stelle der Lösungen Platzhalter; tragen Sie dort Ihre Antwort ein und führen Sie die
Prüfzelle darunter aus. Sie sagt „richtig“, „knapp daneben“ oder gibt einen Hinweis – die Lösung
zeigt sie nicht.

*Vorlage: Ersetzen Sie die beiden Aufgaben durch Aufgaben zu Ihrer Auswertung (2 bis 4); die
erwarteten Antworten stehen unter `aufgaben` in `lab.yaml`.*""",
            tags=only,
        ),
        _cell(
            "markdown",
            """### Aufgabe 1: Vorgänge im gewählten Stadtteil

Wie viele Vorgänge gab es im Stadtteil `stadtteil` (aus der Parameterzelle) in allen Jahren
zusammen? Nutzen Sie die Tabelle `tabelle`.""",
            tags=["aufgabe", *only],
        ),
        _cell(
            "code",
            """antwort_1 = int(tabelle.loc[tabelle["stadtteil"] == stadtteil, "anzahl"].sum())""",
            tags=["loesung", *only],
        ),
        _cell("code", """datenlabor.pruefe("aufgabe-1", antwort_1)""", tags=["pruefung", *only]),
        _cell(
            "markdown",
            """### Aufgabe 2: Das Jahr mit den meisten Vorgängen

In welchem Jahr gab es in der ganzen Stadt die meisten Vorgänge? Geben Sie die Jahreszahl an.""",
            tags=["aufgabe", *only],
        ),
        _cell(
            "code",
            """antwort_2 = int(tabelle.groupby("jahr")["anzahl"].sum().idxmax())""",
            tags=["loesung", *only],
        ),
        _cell("code", """datenlabor.pruefe("aufgabe-2", antwort_2)""", tags=["pruefung", *only]),
    ]


_STADTTEILE = ["Altstadt", "Nordviertel", "Südstadt", "Am Hang", "Rheinaue", "Neubaugebiet West"]


def _lab_yaml(slug: str, title: str) -> str:
    choices = ", ".join(_STADTTEILE)
    topics = ", ".join(AI_TOPICS)
    return f"""title: {json.dumps(title, ensure_ascii=False)}
summary: Vorlage – bitte in einem Satz beschreiben, was man hier ausprobiert.
audience: beide
duration_minutes: 30
level: Einstieg
learning_goals:
  - Einen Datensatz laden und prüfen
  - Ein Ergebnis zeigen und eine Kennzahl festhalten
  - Grenzen der Auswertung benennen
techniques:
  - Gruppieren und Summieren
  - Balkendiagramm
datasets: [{slug}]
parameters:
  stadtteil: {{label: Stadtteil, choices: [{choices}]}}
  daten: {{label: Eigene Daten, kind: csv}}
  lesen: {{label: Leseoptionen für eigene Daten, kind: lesen}}
  spalten: {{label: Spaltenzuordnung für eigene Daten (ziel=quelle; …), kind: spalten}}
ci_parameters: {{stadtteil: Altstadt}}
metrics:
  anzahl_zeilen: {{min: 30, max: 30}}
  mittlere_anzahl: {{min: 20, max: 250}}
# KI-Kompetenz (Art. 4 KI-Verordnung), die das Lab vermittelt; erscheint auf der
# Teilnahmebestätigung. Mögliche Schlüssel: {topics}
ki_kompetenz:
  - daten-verstehen
  - risiken-grenzen
# Selbstkontrolle der Aufgaben im Notebook: „erwartet“ ist ein Python-Ausdruck über die
# Variablen des Notebooks, so stimmt er auch mit anderen Parametern oder eigenen Daten.
# Vorlage: an die eigenen Aufgaben anpassen.
aufgaben:
  aufgabe-1:
    titel: Vorgänge im gewählten Stadtteil
    erwartet: int(tabelle.loc[tabelle["stadtteil"] == stadtteil, "anzahl"].sum())
    toleranz: 0
    hinweis: Filtern Sie `tabelle` auf den Stadtteil `stadtteil` und summieren Sie die Spalte `anzahl`.
    erklaerung: Eine Summe über alle Jahre glättet Schwankungen einzelner Jahre.
  aufgabe-2:
    titel: Das Jahr mit den meisten Vorgängen
    erwartet: int(tabelle.groupby("jahr")["anzahl"].sum().idxmax())
    toleranz: 0
    hinweis: Gruppieren Sie nach `jahr`, summieren Sie `anzahl` und suchen Sie das größte Ergebnis (`idxmax`).
    erklaerung: Erst summieren, dann vergleichen – sonst zählt nur ein einzelner Stadtteil.
# Wissensfragen am Ende der App (3 bis 5). Vorlage: durch Fragen zu Ihrem Thema ersetzen.
# Auswahl: „antworten“ und „richtig“ (Nummer ab 0); Zahl: „zahl“ und „toleranz“.
quiz:
  - frage: Was bedeutet „synthetische Daten“ in diesem Experimentierraum?
    antworten:
      - Erfundene Daten, die wie echte aufgebaut sind
      - Echte Daten der Stadt, nur gekürzt
      - Daten aus einer Umfrage
    richtig: 0
    erklaerung: Ein Skript erzeugt sie mit festem Zufall; sie zeigen den Aufbau, nicht die Wirklichkeit.
  - frage: Ein Stadtteil hat 50 von insgesamt 200 Vorgängen. Wie viel Prozent sind das?
    zahl: 25
    toleranz: 0.5
    erklaerung: 50 ÷ 200 = 0,25, also 25 %.
  - frage: Stadtteil A hat mehr Vorgänge als Stadtteil B. Was sollten Sie prüfen, bevor Sie daraus
      schließen, dass es in A mehr Probleme gibt?
    antworten:
      - Die Farbe des Diagramms
      - Wie viele Menschen in A und B wohnen
      - Nichts, die Zahl spricht für sich
    richtig: 1
    erklaerung: Mehr Einwohner bedeuten meist mehr Vorgänge; vergleichbar wird es je 1.000 Einwohner.
"""


def _datapackage(slug: str, title: str) -> str:
    package = {
        "name": slug,
        "title": f"{title}: Vorgänge je Stadtteil und Jahr (synthetisch)",
        "description": "Erfundene Zahl der Vorgänge je Stadtteil von Musterstadt und Jahr "
        "(2020–2024). Vorlage für einen eigenen Datensatz.",
        "synthetic": True,
        "keywords": ["Vorlage", "Stadtteile"],
        "sources": [
            {
                "title": f"Synthetisch erzeugt mit scripts/make_{slug.replace('-', '_')}.py, Seed 2026"
            }
        ],
        "licenses": [
            {
                "name": "CC0-1.0",
                "path": "https://creativecommons.org/publicdomain/zero/1.0/",
                "title": "CC0 1.0",
            }
        ],
        "resources": [
            {
                "name": slug,
                "path": f"{slug}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {
                            "name": "stadtteil",
                            "type": "string",
                            "description": "Stadtteil von Musterstadt",
                            "constraints": {"required": True},
                        },
                        {
                            "name": "jahr",
                            "type": "integer",
                            "description": "Kalenderjahr",
                            "constraints": {"required": True},
                        },
                        {
                            "name": "anzahl",
                            "type": "integer",
                            "description": "Zahl der Vorgänge im Jahr",
                            "constraints": {"required": True, "minimum": 0},
                        },
                    ]
                },
            }
        ],
    }
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


def _generator(slug: str, module: str) -> str:
    return f'''"""Generate the synthetic dataset ``{slug}``: cases per district and year (lab skeleton).

Replace the body of ``generate`` with what your lab needs; keep the seed so the
CSV is byte-identical on every run (the lab's test checks that).

Usage: python scripts/make_{module}.py [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

import _synth
import numpy as np

DATASET_ID = "{slug}"
SEED = 2026
COLUMNS = ["stadtteil", "jahr", "anzahl"]
STADTTEILE = {json.dumps(_STADTTEILE, ensure_ascii=False)}
JAHRE = range(2020, 2025)


def generate() -> list[list[str]]:
    rng = np.random.default_rng(SEED)
    rows = []
    for stadtteil in STADTTEILE:
        basis = int(rng.integers(40, 200))  # each district has its own level
        for jahr in JAHRE:
            rows.append([stadtteil, str(jahr), str(int(rng.poisson(basis)))])
    return rows


def write(out: Path) -> Path:
    return _synth.write_csv(out, DATASET_ID, COLUMNS, generate())


if __name__ == "__main__":
    _synth.main(DATASET_ID, __doc__.splitlines()[0], write)
'''


def _test_file(slug: str, module: str, title: str) -> str:
    return f'''"""The story of the lab "{title}".

Dataset contract (valid package, seeded generator, own German CSV) and the run with
CI parameters are checked for every lab in tests/labs/test_contract.py and tests/test_labs.py.
"""

from __future__ import annotations

import pytest

import datenlabor
from datenlabor.catalog import get_lab
from tests.helpers import german_csv
from tests.notebooks import execute_lab

SLUG = "{slug}"
DATASET = "{slug}"


def test_dataset_loads_with_schema_types():
    df = datenlabor.load(DATASET)
    assert list(df.columns) == ["stadtteil", "jahr", "anzahl"]
    assert (df["anzahl"] >= 0).all()


@pytest.mark.slow
def test_notebook_runs_on_own_german_csv(tmp_path):
    lab = get_lab(SLUG)
    csv = tmp_path / "eigene.csv"
    csv.write_bytes(german_csv(datenlabor.load(DATASET)))
    metrics = execute_lab(lab, tmp_path / "out.ipynb", {{**lab.ci_parameters, "daten": str(csv)}})
    assert metrics["anzahl_zeilen"] == 30


@pytest.mark.browser
@pytest.mark.slow
def test_app_reacts_to_a_control(app_url, page):
    from tests.browser import open_app, wait_for_change

    open_app(page, app_url(SLUG))
    before = page.inner_html(".datenlabor-app .widget-output")
    page.get_by_label("Stadtteil", exact=True).select_option("Südstadt")
    after = wait_for_change(page, ".datenlabor-app .widget-output", before)
    assert "Südstadt" in after
'''
