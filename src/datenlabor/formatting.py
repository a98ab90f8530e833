"""Numbers, dates and yes/no written the way people in Germany write them.

One place for display formatting, built on babel's CLDR data for ``de_DE``:
``1.234,5``, ``31.12.2024``, ``ja``/``nein``. Used by metrics in notebooks,
plots and their alt texts, uploaded-data tables and the CLI's run tables.
Imports babel lazily; a kernel pays for it on first use only.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

LOCALE = "de_DE"
MISSING = "–"


def number(value: float, digits: int = 1) -> str:
    """``value`` with exactly ``digits`` decimals and grouped thousands: ``1.234,5``.

    Rounds half to even on the decimal value (babel), e.g. 2.675 -> ``2,68``.
    """
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def decimal(value: float, max_digits: int = 2) -> str:
    """``value`` with at most ``max_digits`` decimals, trailing zeros dropped: ``0,5``."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "#" * max_digits if max_digits > 0 else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def integer(value: int, group_from: int = 4) -> str:
    """Whole number; thousands are grouped once it has ``group_from`` digits or more.

    DIN 5008 allows leaving four-digit numbers ungrouped (``group_from=5``
    keeps years as ``2024``).
    """
    from babel.numbers import format_decimal

    whole = int(value)
    if len(str(abs(whole))) < group_from:
        return str(whole)
    return format_decimal(whole, format="#,##0", locale=LOCALE)


def yes_no(value: bool) -> str:
    """``ja`` or ``nein``."""
    return "ja" if value else "nein"


def date(value: _dt.date | _dt.datetime) -> str:
    """``31.12.2024``; with a time of day that is not midnight ``31.12.2024 13:05``."""
    if isinstance(value, _dt.datetime) and value.time() != _dt.time(0, 0):
        return value.strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def metric(value: Any) -> str:
    """A recorded metric: integers grouped (``1.234``), other numbers with three decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return integer(value)
    return number(value, 3)


def cell(value: Any, max_digits: int = 2) -> str:
    """One table cell: ``–`` for missing, ja/nein, dates, lists joined with commas.

    Whole numbers are grouped from five digits on (``2024``, ``12.345``),
    other numbers keep up to ``max_digits`` decimals. Accepts numpy and pandas
    scalars (``Timestamp``, ``NaT``, ``NaN``).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if type(value).__name__ in ("NaTType", "NAType"):
        return MISSING
    if isinstance(value, list | tuple):
        return ", ".join(cell(v, max_digits) for v in value)
    kind = getattr(getattr(value, "dtype", None), "kind", None)  # numpy scalars
    if isinstance(value, bool) or kind == "b":
        return yes_no(bool(value))
    if isinstance(value, _dt.date):  # pandas.Timestamp is a datetime
        return date(value)
    if isinstance(value, int) or kind in ("i", "u"):
        return integer(value, group_from=5)
    if isinstance(value, float) or kind == "f":
        if math.isnan(float(value)):
            return MISSING
        return decimal(float(value), max_digits)
    return str(value)
