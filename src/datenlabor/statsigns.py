"""The one table of official-statistics signs and number decorations, used by every lab.

German statistics offices mark table cells with signs instead of numbers. This
module follows the "Zeichenerklärung" of the Statistisches Bundesamt (Destatis)
as printed in its Statistische Jahrbücher and GENESIS tables:

======  ==============================================================  ==========
sign    meaning (Destatis)                                              becomes
======  ==============================================================  ==========
``-``   nichts vorhanden (genau null)                                   ``0``
``.``   Zahlenwert unbekannt oder geheim zu halten                      gap
``x``   Tabellenfach gesperrt, weil Aussage nicht sinnvoll              gap
``/``   keine Angaben, da Zahlenwert nicht sicher genug                 gap
``…``   Angabe fällt später an                                          gap
``( )`` Aussagewert eingeschränkt, da statistisch relativ unsicher      the value
``p``   vorläufige Zahl (nachgestellt, z. B. ``1.310p``)                the value
``r``   berichtigte Zahl                                                the value
``s``   geschätzte Zahl                                                 the value
======  ==============================================================  ==========

A value in parentheses is an *uncertain* value in statistics tables; in
accounting exports (a column with a currency or a trailing minus elsewhere) it
is a *negative* amount. ``decorations`` decides per column.

Decorations are units and currencies written into cells (``92,6 %``,
``-1.000,00 €``, ``EUR 12,50``), accounting negatives (``1.000,00-`` as SAP
writes them, ``(1.000,00)``), the Unicode minus ``−`` and space-like group
separators (no-break, narrow no-break, thin and figure space). They are
removed before a number is read; the unit is kept as column metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .formatting import count

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


@dataclass(frozen=True)
class Sign:
    """One sign of the Zeichenerklärung: what it means and what it becomes."""

    symbol: str
    meaning: str
    zero: bool = False  # True: the sign stands for exactly 0; False: a gap (NaN)


SIGNS: dict[str, Sign] = {
    "-": Sign("-", "nichts vorhanden (genau null)", zero=True),
    "–": Sign("–", "nichts vorhanden (genau null)", zero=True),
    "—": Sign("—", "nichts vorhanden (genau null)", zero=True),
    ".": Sign(".", "Zahlenwert unbekannt oder geheim zu halten"),
    "x": Sign("x", "Tabellenfach gesperrt, weil Aussage nicht sinnvoll"),
    "X": Sign("X", "Tabellenfach gesperrt, weil Aussage nicht sinnvoll"),
    "/": Sign("/", "keine Angaben, da Zahlenwert nicht sicher genug"),
    "...": Sign("...", "Angabe fällt später an"),
    "…": Sign("…", "Angabe fällt später an"),
}
"""Whole-cell signs, by their exact text."""

FLAGS: dict[str, str] = {
    "p": "vorläufige Zahl",
    "r": "berichtigte Zahl",
    "s": "geschätzte Zahl",
    "()": "Aussagewert eingeschränkt (Zahl in Klammern)",
}
"""Flags that keep the value but qualify it: trailing letters and parentheses."""

UNITS: dict[str, str] = {
    "%": "%",
    "‰": "‰",
    "€": "€",
    "eur": "€",
    "euro": "€",
    "$": "$",
    "usd": "$",
    "chf": "CHF",
    "£": "£",
}
"""Units and currencies accepted before or after a number (lower-case keys)."""

SPACES = "\u00a0\u202f\u2009\u2007\u200a\u2008 '"
"""Space-like characters used as group separators (and the Swiss apostrophe)."""

MINUSES = "\u2212\u2012\u2013"
"""Characters written for a minus sign besides ``-`` (Unicode minus, figure and en dash)."""

_UNIT_WORDS = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_DECORATION = re.compile(
    rf"^(?P<pre>(?:{_UNIT_WORDS})\s*)?(?P<num>.*?)(?P<post>\s*(?:{_UNIT_WORDS}))?$",
    re.IGNORECASE,
)
_FLAG_TAIL = re.compile(r"^(?P<num>.*\d)\s?(?P<flag>[prs])$")
_SPACE_TABLE = str.maketrans({c: None for c in SPACES})
_MINUS_TABLE = str.maketrans({c: "-" for c in MINUSES})


@dataclass
class Decorations:
    """What ``strip_decorations`` removed from a column, for the profile and messages."""

    unit: str | None = None
    zeros: int = 0  # cells "-" read as 0
    gaps: dict[str, int] | None = None  # sign -> count, read as missing
    flags: dict[str, int] | None = None  # "p"/"r"/"s"/"()" -> count
    accounting_negatives: int = 0

    def describe(self, column: str) -> list[str]:
        """German lines about one column."""
        lines = []
        if self.unit:
            lines.append(f"Spalte „{column}“: Einheit „{self.unit}“ aus den Zellen entfernt.")
        if self.zeros:
            lines.append(f"Spalte „{column}“: „-“ ({self.zeros}×) als 0 gelesen (genau null).")
        for sign, n in (self.gaps or {}).items():
            meaning = SIGNS[sign].meaning if sign in SIGNS else "fehlt"
            lines.append(f"Spalte „{column}“: „{sign}“ ({n}×) als Lücke gelesen ({meaning}).")
        for flag, n in (self.flags or {}).items():
            lines.append(
                f"Spalte „{column}“: {count(n, 'Wert', 'Werte')} markiert als {FLAGS[flag]}."
            )
        if self.accounting_negatives:
            lines.append(
                f"Spalte „{column}“: {self.accounting_negatives} negative Beträge in "
                "Buchhaltungsschreibweise (nachgestelltes Minus oder Klammern)."
            )
        return lines


def needs_cleaning(text: pd.Series) -> bool:
    """Whether any cell has a sign, unit, flag, odd minus or space (cheap pre-check)."""
    pattern = r"[^\d.,+\-eE]|^[.\-]+$|\d-$"
    return bool(text.str.contains(pattern, regex=True, na=False).any())


def strip_decorations(text: pd.Series, accounting: bool = False) -> tuple[pd.Series, Decorations]:
    """Plain number text (``-1.000,00``) from decorated cells, plus what was removed.

    ``text`` holds stripped cell texts (NaN for empty). Signs that mean zero
    become ``"0"``, gap signs become NaN; flags, units and accounting
    negatives are removed and counted. Cells that are no number after this
    stay as they are, so the caller can name them. ``accounting`` says the
    file is an accounting export (a trailing minus or a currency somewhere):
    then a value in parentheses is negative. Vectorised with pandas string
    methods.
    """
    import pandas as pd

    deco = Decorations(gaps={}, flags={})
    s = text.astype("string")
    s = s.str.translate(_MINUS_TABLE)
    is_sign = s.isin(list(SIGNS))
    if is_sign.any():
        for sign, n in s[is_sign].value_counts().items():
            if SIGNS[sign].zero:
                deco.zeros += int(n)
            else:
                deco.gaps[sign] = deco.gaps.get(sign, 0) + int(n)
        zero = s.isin([k for k, v in SIGNS.items() if v.zero])
        s = s.mask(is_sign & ~zero, pd.NA).mask(zero, "0")
    in_parens = s.str.match(r"^\(.*\d.*\)$", na=False)
    if in_parens.any():
        s = s.where(~in_parens, s.str[1:-1].str.strip())
    parts = s.str.extract(_DECORATION)
    units = pd.concat([parts["pre"], parts["post"]]).dropna().str.strip().str.lower()
    if len(units):
        found = {UNITS[u] for u in units.unique() if u in UNITS}
        if len(found) == 1:
            deco.unit = found.pop()
        elif found:
            deco.unit = ", ".join(sorted(found))
    s = parts["num"].where(parts["num"].notna(), s).str.strip()
    flagged = s.str.extract(_FLAG_TAIL)
    has_flag = flagged["flag"].notna()
    if has_flag.any():
        for flag, n in flagged.loc[has_flag, "flag"].value_counts().items():
            deco.flags[flag] = int(n)
        s = s.where(~has_flag, flagged["num"])
    s = s.str.translate(_SPACE_TABLE)
    trailing_minus = s.str.match(r"^\d[\d.,]*-$", na=False)
    accounting = accounting or bool(trailing_minus.any()) or deco.unit in {"€", "$", "CHF", "£"}
    if trailing_minus.any():
        deco.accounting_negatives += int(trailing_minus.sum())
        s = s.where(~trailing_minus, "-" + s.str[:-1])
    if in_parens.any():
        if accounting:
            deco.accounting_negatives += int(in_parens.sum())
            s = s.where(~in_parens, "-" + s.str.lstrip("-"))
        else:
            deco.flags["()"] = int(in_parens.sum())
    deco.gaps = deco.gaps or None
    deco.flags = deco.flags or None
    return s, deco
