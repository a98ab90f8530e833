"""Generate the synthetic dataset ``leistungsbezug-musterstadt`` (two tables).

Every person is invented. The script draws one population of adults of the
fictional city Musterstadt and takes two overlapping samples from it:

* ``leistungsbezug.csv``: pseudonymised records of people who receive a social
  benefit (age, gender, postcode, district, type of benefit).
* ``ehrenamtsliste.csv``: a public list of volunteers with name, year of
  birth, gender and postcode. About a quarter of the volunteers also receive
  a benefit, so the lab "Daten schützen" can link the two tables.

Ages are counted on 31.12.2025, so ``alter = 2025 - geburtsjahr``.

Usage: python scripts/make_leistungsbezug_musterstadt.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

SEED = 2026
REFERENCE_YEAR = 2025
N_POPULATION = 60000
N_RECIPIENTS = 2000
N_VOLUNTEERS = 1200
VOLUNTEERS_RECEIVING = 450  # volunteers drawn from the recipients: the overlap an attacker can find
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "datasets" / "leistungsbezug-musterstadt"

# Fictional postcodes of Musterstadt -> (district, share of adults living there)
POSTCODES = {
    "34101": ("Altstadt", 0.05),
    "34102": ("Altstadt", 0.05),
    "34105": ("Nordviertel", 0.06),
    "34106": ("Nordviertel", 0.05),
    "34110": ("Südstadt", 0.07),
    "34111": ("Südstadt", 0.05),
    "34113": ("Westend", 0.08),
    "34115": ("Oststadt", 0.07),
    "34116": ("Oststadt", 0.05),
    "34120": ("Hafenviertel", 0.11),
    "34121": ("Am Bahnhof", 0.09),
    "34125": ("Lindenhof", 0.09),
    "34128": ("Bergheim", 0.07),
    "34130": ("Neue Mitte", 0.06),
    "34131": ("Neue Mitte", 0.05),
}
# How much more often people in a district receive benefits (relative)
DISTRICT_NEED = {
    "Altstadt": 1.0,
    "Nordviertel": 0.8,
    "Südstadt": 1.1,
    "Westend": 0.6,
    "Oststadt": 1.3,
    "Hafenviertel": 1.8,
    "Am Bahnhof": 1.7,
    "Lindenhof": 0.7,
    "Bergheim": 0.6,
    "Neue Mitte": 1.0,
}
BENEFITS = [
    "Bürgergeld",
    "Wohngeld",
    "Grundsicherung im Alter",
    "Hilfe zur Pflege",
    "Eingliederungshilfe",
]

FIRST_NAMES_F = [
    "Anna",
    "Maria",
    "Julia",
    "Laura",
    "Sarah",
    "Lena",
    "Katharina",
    "Sabine",
    "Petra",
    "Monika",
    "Ursula",
    "Elif",
    "Fatma",
    "Aylin",
    "Olga",
    "Natalia",
    "Sophie",
    "Emma",
    "Claudia",
    "Andrea",
    "Renate",
    "Helga",
    "Ingrid",
    "Karin",
    "Nicole",
    "Stefanie",
    "Mia",
    "Hannah",
    "Leonie",
    "Marta",
    "Agnieszka",
    "Yasmin",
    "Gisela",
    "Birgit",
]
FIRST_NAMES_M = [
    "Thomas",
    "Michael",
    "Andreas",
    "Stefan",
    "Peter",
    "Klaus",
    "Jürgen",
    "Frank",
    "Markus",
    "Daniel",
    "Jan",
    "Lukas",
    "Felix",
    "Paul",
    "Jonas",
    "Mehmet",
    "Ali",
    "Ahmet",
    "Piotr",
    "Sergej",
    "Dmitri",
    "Hans",
    "Werner",
    "Dieter",
    "Manfred",
    "Wolfgang",
    "Uwe",
    "Tobias",
    "Sebastian",
    "Leon",
    "Ben",
    "Emre",
    "Omar",
    "Marco",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Maier",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Nowak",
    "Kowalski",
    "Ivanov",
    "Petrov",
    "Popescu",
    "Rossi",
    "Öztürk",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
]
ENGAGEMENTS = [
    "Tafel",
    "Sportverein",
    "Besuchsdienst",
    "Nachbarschaftshilfe",
    "Freiwillige Feuerwehr",
    "Lesepatenschaft",
    "Umweltgruppe",
    "Seniorentreff",
    "Kleiderkammer",
    "Hausaufgabenhilfe",
]


def population(rng: np.random.Generator) -> dict[str, np.ndarray]:
    codes = list(POSTCODES)
    shares = np.array([POSTCODES[c][1] for c in codes])
    plz = np.array(codes)[rng.choice(len(codes), N_POPULATION, p=shares / shares.sum())]
    district = np.array([POSTCODES[c][0] for c in plz])
    # Adult ages 18..95 with fewer very old people
    age = np.clip(np.round(18 + rng.gamma(2.6, 13.0, N_POPULATION)), 18, 95).astype(int)
    gender = rng.choice(["weiblich", "männlich", "divers"], N_POPULATION, p=[0.508, 0.4905, 0.0015])
    return {"plz": plz, "stadtteil": district, "alter": age, "geschlecht": gender}


def benefit_probabilities(age: np.ndarray) -> np.ndarray:
    """Rows: people, columns: BENEFITS; depends on age only (simplified eligibility rules)."""
    # Bürgergeld, Wohngeld, Grundsicherung im Alter, Hilfe zur Pflege, Eingliederungshilfe
    young = [0.50, 0.15, 0.0, 0.0, 0.35]
    working = [0.55, 0.33, 0.0, 0.0, 0.12]
    retired = [0.0, 0.07, 0.90, 0.03, 0.0]
    very_old = [0.0, 0.05, 0.15, 0.80, 0.0]
    p = np.select(
        [age[:, None] < 25, age[:, None] < 67, age[:, None] < 80],
        [np.array(young)[None, :], np.array(working)[None, :], np.array(retired)[None, :]],
        np.array(very_old)[None, :],
    )
    return p / p.sum(axis=1, keepdims=True)


def generate(
    rng: np.random.Generator, keep_ids: bool = False
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Draw both tables; ``keep_ids`` adds the invented person number ``person`` to every row.

    The person number is the ground truth a linkage attack tries to recover (used by the
    tests of the lab "Daten schützen" to count correct and wrong matches); it is never written.
    """
    pop = population(rng)
    weight = np.array([DISTRICT_NEED[d] for d in pop["stadtteil"]]) * np.where(
        pop["alter"] >= 67, 1.3, 1.0
    )
    recipients = rng.choice(N_POPULATION, N_RECIPIENTS, replace=False, p=weight / weight.sum())
    probs = benefit_probabilities(pop["alter"][recipients])
    benefit = np.array([rng.choice(len(BENEFITS), p=row) for row in probs])

    # Volunteers: some of the recipients plus people from the rest of the population.
    others = np.setdiff1d(np.arange(N_POPULATION), recipients)
    volunteers = np.concatenate(
        [
            rng.choice(recipients, VOLUNTEERS_RECEIVING, replace=False),
            rng.choice(others, N_VOLUNTEERS - VOLUNTEERS_RECEIVING, replace=False),
        ]
    )
    volunteers = volunteers[rng.permutation(len(volunteers))]

    order = rng.permutation(N_RECIPIENTS)  # the table must not reveal the drawing order
    pseudonyms = rng.choice(16**8, N_RECIPIENTS, replace=False)
    records = []
    for i in order:
        person = recipients[i]
        records.append(
            {
                "fall_nr": f"P{pseudonyms[i]:08X}",
                "alter": int(pop["alter"][person]),
                "geschlecht": str(pop["geschlecht"][person]),
                "plz": str(pop["plz"][person]),
                "stadtteil": str(pop["stadtteil"][person]),
                "leistungsart": BENEFITS[benefit[i]],
                **({"person": int(person)} if keep_ids else {}),
            }
        )
    records.sort(key=lambda r: r["fall_nr"])

    public = []
    for person in volunteers:
        gender = str(pop["geschlecht"][person])
        names = FIRST_NAMES_F if gender == "weiblich" else FIRST_NAMES_M
        if gender == "divers":
            names = FIRST_NAMES_F + FIRST_NAMES_M
        public.append(
            {
                "name": f"{names[rng.integers(len(names))]} {LAST_NAMES[rng.integers(len(LAST_NAMES))]}",
                "geburtsjahr": REFERENCE_YEAR - int(pop["alter"][person]),
                "geschlecht": gender,
                "plz": str(pop["plz"][person]),
                "engagement": ENGAGEMENTS[rng.integers(len(ENGAGEMENTS))],
                **({"person": int(person)} if keep_ids else {}),
            }
        )
    public.sort(key=lambda r: (r["name"].split(" ")[-1], r["name"], r["geburtsjahr"]))
    return records, public


def write(rows: list[dict[str, object]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="Zielordner für die CSV-Dateien"
    )
    args = parser.parse_args(argv)
    records, public = generate(np.random.default_rng(SEED))
    for path in (
        write(records, args.out / "leistungsbezug.csv"),
        write(public, args.out / "ehrenamtsliste.csv"),
    ):
        print(f"geschrieben: {path}")


if __name__ == "__main__":
    main()
