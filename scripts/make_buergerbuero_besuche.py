"""Generate the synthetic dataset ``buergerbuero-besuche``: daily visitors of a citizens' office.

Planted effects: weekday pattern (long opening on Monday and Thursday, short on
Friday and Saturday), closed on Sundays and NRW public holidays, catch-up after
holidays, more visitors the day before a holiday, a passport rush in the six
weeks before the summer school holidays, a quieter time during school holidays
and between Christmas and New Year, a slow upward trend, a few unplanned
closures and noise. Holidays are computed here (Easter formula), no network.

Usage: python scripts/make_buergerbuero_besuche.py [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np

SEED = 2026
START = dt.date(2023, 11, 1)
END = dt.date(2026, 10, 31)
BASE = 190.0  # visitors on an average Tuesday at the start
TREND_PER_YEAR = 0.05  # +5 % per year (growing town, more online appointments booked)

# Monday .. Sunday: long opening Mon/Thu, short Fri, Saturday morning only, closed Sunday.
WEEKDAY = [1.20, 1.00, 0.85, 1.30, 0.70, 0.40, 0.0]

# NRW school holidays (simplified, first and last day).
FERIEN = [
    ("2023-10-02", "2023-10-14"),
    ("2023-12-21", "2024-01-05"),
    ("2024-03-25", "2024-04-06"),
    ("2024-07-08", "2024-08-20"),
    ("2024-10-14", "2024-10-26"),
    ("2024-12-23", "2025-01-06"),
    ("2025-04-14", "2025-04-26"),
    ("2025-07-14", "2025-08-26"),
    ("2025-10-13", "2025-10-25"),
    ("2025-12-22", "2026-01-06"),
    ("2026-03-30", "2026-04-11"),
    ("2026-07-20", "2026-09-01"),
    ("2026-10-17", "2026-10-31"),
]
SOMMERFERIEN_BEGINN = ["2024-07-08", "2025-07-14", "2026-07-20"]


def easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def nrw_holidays(year: int) -> set[dt.date]:
    """Public holidays in North Rhine-Westphalia."""
    e = easter(year)
    fixed = [(1, 1), (5, 1), (10, 3), (11, 1), (12, 25), (12, 26)]
    moving = [
        -2,
        1,
        39,
        50,
        60,
    ]  # Good Friday, Easter Monday, Ascension, Whit Monday, Corpus Christi
    days = {dt.date(year, m, d) for m, d in fixed}
    days |= {e + dt.timedelta(days=k) for k in moving}
    return days


def in_ranges(day: dt.date, ranges: list[tuple[str, str]]) -> bool:
    iso = day.isoformat()
    return any(a <= iso <= b for a, b in ranges)


def generate(rng: np.random.Generator) -> list[tuple[str, int, bool]]:
    holidays = set().union(*(nrw_holidays(y) for y in range(START.year, END.year + 1)))
    # The office closes on Christmas Eve and New Year's Eve as well.
    holidays |= {dt.date(y, 12, d) for y in range(START.year, END.year + 1) for d in (24, 31)}
    n_days = (END - START).days + 1
    days = [START + dt.timedelta(days=k) for k in range(n_days)]
    # Unplanned closures (IT failure, staff meeting): about two per year, not in any calendar.
    weekdays_open = [d for d in days if d.weekday() < 5 and d not in holidays]
    unplanned = set(rng.choice(len(weekdays_open), size=6, replace=False).tolist())
    unplanned = {weekdays_open[i] for i in unplanned}
    rush_starts = [dt.date.fromisoformat(s) for s in SOMMERFERIEN_BEGINN]
    rows = []
    for day in days:
        closed = day.weekday() == 6 or day in holidays or day in unplanned
        if closed:
            rows.append((day.isoformat(), 0, False))
            continue
        level = BASE * WEEKDAY[day.weekday()]
        level *= (1 + TREND_PER_YEAR) ** ((day - START).days / 365.25)
        if any(0 < (s - day).days <= 42 for s in rush_starts):
            level *= 1.25  # passports and ID cards before the summer trip
        if in_ranges(day, FERIEN):
            level *= 0.85
        if day.month == 1 and day.day <= 20:
            level *= 1.10  # new year: registrations, documents that expired
        if day.month == 12 and day.day >= 27:
            level *= 0.60
        if day.month == 8:
            level *= 0.90
        prev, nxt = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
        if prev in holidays or (prev.weekday() == 6 and prev - dt.timedelta(days=1) in holidays):
            level *= 1.30  # catch-up after a holiday (or after a long weekend)
        if nxt in holidays:
            level *= 1.15
        if prev in unplanned:
            level *= 1.20
        # Day-to-day noise beyond Poisson: weather, school events, a broken printer.
        level *= rng.gamma(shape=60.0, scale=1 / 60.0)
        rows.append((day.isoformat(), int(rng.poisson(level)), True))
    return rows


def to_csv(rows: list[tuple[str, int, bool]]) -> bytes:
    lines = ["datum,besuche,geoeffnet"]
    lines += [f"{d},{n},{'true' if o else 'false'}" for d, n, o in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parents[1] / "datasets" / "buergerbuero-besuche"
    parser.add_argument("--out", type=Path, default=default_out, help="Zielordner der CSV-Datei")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = generate(np.random.default_rng(SEED))
    (args.out / "buergerbuero_besuche.csv").write_bytes(to_csv(rows))


if __name__ == "__main__":
    main()
