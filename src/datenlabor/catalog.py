"""The catalogue of labs: one folder under labs/ per experiment space.

A lab folder holds exactly one notebook (``<slug>.ipynb``) and ``lab.yaml``
with its metadata. Everything else (CLI, tests, gallery) discovers labs here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .errors import LabError, LabNotFoundError
from .parameters import Parameter, read_parameters, validate_values
from .paths import labs_dir

AUDIENCES = ("Verwaltung", "Bürgerschaft", "beide")
# Families of techniques for the gallery filter: people pick "Vorhersagen", not "Lineare
# Regression (Ridge)". A lab belongs to a family when one of its techniques (lab.yaml
# ``techniques``) contains one of the family's keywords, compared case-insensitively. A lab may
# name its families itself with ``technique_families`` in lab.yaml.
TECHNIQUE_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Daten lesen und bereinigen",
        ("csv", "zeichenkodierung", "bereinigung", "daten laden", "qualitätsprofil", "tabellen"),
    ),
    (
        "Statistik und Diagramme",
        ("mittelwert", "median", "gruppieren", "korrelation", "statistik", "diagramm", "ausreißer"),
    ),
    ("Vorhersagen", ("vorhersage", "lineare regression", "gradient boosting", "zeitreihe")),
    ("Zuordnen (Klassifikation)", ("textklassifikation", "logistische regression")),
    ("Gruppen finden (Clustering)", ("clustering", "k-means", "hauptkomponenten")),
    ("Auffälligkeiten finden", ("anomalie", "isolation forest")),
    ("Fairness", ("fairness", "umgewichtung")),
    ("Datenschutz", ("anonymität", "differential privacy", "diversität", "verknüpfungsangriff")),
    ("Texte und Sprachmodelle", ("text", "sprachmodell", "wort", "silben")),
    ("Karten und Wege", ("geodaten", "karte", "entfernung", "netzwerkanalyse")),
    (
        "Ergebnisse prüfen",
        ("bootstrap", "unsicherheit", "aufteilung", "trefferquote", "sweep", "verwechslung"),
    ),
)
# What a reader sees for an audience value of lab.yaml.
AUDIENCE_TEXT = {"beide": "Verwaltung und Bürgerschaft"}
LEVELS = ("Einstieg", "Fortgeschritten", "Vertiefung")
REQUIRED_FIELDS = (
    "title",
    "summary",
    "audience",
    "duration_minutes",
    "level",
    "learning_goals",
    "techniques",
    "datasets",
    "parameters",
    "ci_parameters",
    "metrics",
)


@dataclass
class Lab:
    """A lab as described by its folder; metadata is read once and kept."""

    slug: str
    folder: Path
    meta: dict[str, Any] = field(repr=False)

    @property
    def notebook(self) -> Path:
        return self.folder / f"{self.slug}.ipynb"

    @property
    def title(self) -> str:
        return str(self.meta.get("title", self.slug))

    @property
    def summary(self) -> str:
        return str(self.meta.get("summary", ""))

    @property
    def audience(self) -> str:
        return str(self.meta.get("audience", ""))

    @property
    def audience_text(self) -> str:
        """The audience as people read it: „beide“ becomes „Verwaltung und Bürgerschaft“."""
        return AUDIENCE_TEXT.get(self.audience, self.audience)

    @property
    def duration_minutes(self) -> int:
        return int(self.meta.get("duration_minutes", 0) or 0)

    @property
    def level(self) -> str:
        return str(self.meta.get("level", ""))

    @property
    def techniques(self) -> list[str]:
        return list(self.meta.get("techniques") or [])

    @property
    def technique_families(self) -> list[str]:
        """Families of this lab's techniques (``TECHNIQUE_FAMILIES``), in the table's order.

        ``technique_families`` in lab.yaml, when present, is used as given.
        """
        given = self.meta.get("technique_families")
        if given:
            return [str(f) for f in given]
        words = [t.casefold() for t in self.techniques]
        return [
            family
            for family, keys in TECHNIQUE_FAMILIES
            if any(key.casefold() in word for key in keys for word in words)
        ]

    @property
    def datasets(self) -> list[str]:
        return list(self.meta.get("datasets") or [])

    @property
    def constraints(self) -> dict[str, dict[str, Any]]:
        return dict(self.meta.get("parameters") or {})

    @property
    def ci_parameters(self) -> dict[str, Any]:
        return dict(self.meta.get("ci_parameters") or {})

    @property
    def metric_ranges(self) -> dict[str, dict[str, float]]:
        return dict(self.meta.get("metrics") or {})

    @cached_property
    def parameters(self) -> dict[str, Parameter]:
        """The lab's parameters: the notebook's parameters cell plus lab.yaml constraints."""
        return read_parameters(self.notebook, self.constraints)

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        """The given values checked against this lab's parameters (``ParameterError`` if not)."""
        return validate_values(self.parameters, values, self.slug)


def _read_meta(folder: Path) -> dict[str, Any]:
    path = folder / "lab.yaml"
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except yaml.YAMLError as exc:
        raise LabError(f"{path} ist kein gültiges YAML: {exc}") from None
    if not isinstance(data, dict):
        raise LabError(f"{path}: erwartet wird eine Zuordnung (Schlüssel: Wert).")
    return data


def discover(root: Path | None = None) -> list[Lab]:
    """All labs under labs/, sorted by folder name (which sets the gallery order)."""
    root = root or labs_dir()
    if not root.is_dir():
        raise LabError(f"Den Ordner mit den Labs „{root}“ gibt es nicht (siehe DATENLABOR_LABS).")
    labs = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if (folder / "lab.yaml").is_file():
            labs.append(Lab(slug=folder.name, folder=folder, meta=_read_meta(folder)))
    return labs


def get_lab(slug: str, root: Path | None = None) -> Lab:
    """The lab called ``slug``; a German message lists the known labs otherwise."""
    root = root or labs_dir()
    folder = root / slug
    if "/" in slug or slug.startswith(".") or not (folder / "lab.yaml").is_file():
        known = ", ".join(lab.slug for lab in discover(root)) or "keine"
        raise LabNotFoundError(f"Lab „{slug}“ gibt es nicht. Vorhandene Labs: {known}.")
    return Lab(slug=slug, folder=folder, meta=_read_meta(folder))
