"""Generate the synthetic dataset ``antraege-pruefung`` (Härtefallfonds applications).

Every applicant is invented. The script plants a known bias so the lab
"Fair entscheiden?" can find it again:

* ``foerderfaehig_nachpruefung`` (the careful re-review) depends only on the
  household's situation: income, household size, energy costs, documents.
* ``bewilligt`` (the historical decision) uses the same situation plus staff
  noise and a penalty for applicants whose first language is not German.
* Two proxies carry that bias even when the language column is dropped:
  the district (``stadtteil``) and paper applications (``antrag_papierform``,
  the online form existed only in German).

Usage: python scripts/make_antraege_pruefung.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

SEED = 2026
N_APPLICATIONS = 6000
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "datasets" / "antraege-pruefung"

# District -> (share of applications, share of applicants whose first language is not German)
DISTRICTS = {
    "Altstadt": (0.10, 0.15),
    "Nordviertel": (0.11, 0.10),
    "Südstadt": (0.12, 0.22),
    "Westend": (0.08, 0.06),
    "Oststadt": (0.12, 0.40),
    "Hafenviertel": (0.12, 0.78),
    "Am Bahnhof": (0.10, 0.72),
    "Lindenhof": (0.09, 0.07),
    "Bergheim": (0.07, 0.05),
    "Neue Mitte": (0.09, 0.18),
}
BIAS_LOGIT = -1.6  # planted penalty in historical decisions for non-German first language
PAPER_LOGIT = -0.3  # paper files were handled a little more strictly as well


def generate(rng: np.random.Generator) -> list[dict[str, object]]:
    names = list(DISTRICTS)
    shares = np.array([DISTRICTS[d][0] for d in names])
    district_idx = rng.choice(len(names), size=N_APPLICATIONS, p=shares / shares.sum())
    share_other = np.array([DISTRICTS[d][1] for d in names])[district_idx]
    german = rng.random(N_APPLICATIONS) >= share_other

    # The online form was only available in German: more paper applications otherwise.
    paper = rng.random(N_APPLICATIONS) < np.where(german, 0.12, 0.62)

    household = 1 + rng.poisson(np.where(german, 1.1, 1.3))
    household = np.clip(household, 1, 7)
    income = rng.lognormal(np.log(1750 + 330 * (household - 1)), 0.38)
    income = np.round(np.clip(income, 600, 7500), -1).astype(int)
    energy = np.round(95 + 38 * household + rng.gamma(4.0, 22.0, N_APPLICATIONS), 2)
    documents = rng.random(N_APPLICATIONS) < np.where(paper, 0.74, 0.88)

    # Eligibility after the careful re-review: the household's situation only.
    burden = energy / income
    per_person = income / np.sqrt(household)
    need = (
        14.0 * (burden - 0.13)
        - 2.6 * (per_person - 1500) / 1000
        + 0.25 * (household - 2)
        + 1.6 * documents
        - 0.9
    )
    eligible = need + rng.logistic(0, 0.6, N_APPLICATIONS) > 0

    # Historical decision: the same situation, staff noise and the planted bias.
    decision_logit = need + BIAS_LOGIT * (~german) + PAPER_LOGIT * paper
    approved = decision_logit + rng.logistic(0, 0.7, N_APPLICATIONS) > 0

    start = date(2023, 1, 2)
    days = np.sort(rng.integers(0, 3 * 365, N_APPLICATIONS))
    rows = []
    for i in range(N_APPLICATIONS):
        rows.append(
            {
                "antrag_nr": f"HF-{i + 1:05d}",
                "eingangsdatum": (start + timedelta(days=int(days[i]))).isoformat(),
                "stadtteil": names[district_idx[i]],
                "erstsprache_deutsch": "true" if german[i] else "false",
                "antrag_papierform": "true" if paper[i] else "false",
                "haushaltsgroesse": int(household[i]),
                "einkommen_monat": int(income[i]),
                "energiekosten_monat": f"{energy[i]:.2f}",
                "unterlagen_vollstaendig": "true" if documents[i] else "false",
                "bewilligt": "true" if approved[i] else "false",
                "foerderfaehig_nachpruefung": "true" if eligible[i] else "false",
            }
        )
    return rows


def write(rows: list[dict[str, object]], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "antraege.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Zielordner für antraege.csv")
    args = parser.parse_args(argv)
    path = write(generate(np.random.default_rng(SEED)), args.out)
    print(f"geschrieben: {path}")


if __name__ == "__main__":
    main()
