"""Numbers, dates and yes/no written the way people in Germany write them.

One place for display formatting, built on babel's CLDR data for ``de_DE``:
``1.234,5``, ``31.12.2024``, ``ja``/``nein``. Used by metrics in notebooks,
plots and their alt texts, uploaded-data tables and the CLI's run tables.
Imports babel lazily; a kernel pays for it on first use only.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
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


def count(n: int, one: str, other: str) -> str:
    """``n`` and the noun in the right number: ``1 Wert``, ``2 Werte``, ``1.234 Werte``.

    The plural category comes from babel's CLDR plural rules for German
    (``one`` for exactly 1, ``other`` otherwise); German nouns have no
    rule-based plural, so the caller names both forms. The number is grouped
    like :func:`integer`.
    """
    from babel import Locale

    form = Locale.parse(LOCALE).plural_form(abs(int(n)))
    return f"{integer(n)} {one if form == 'one' else other}"


def yes_no(value: bool) -> str:
    """``ja`` or ``nein``."""
    return "ja" if value else "nein"


def date(value: _dt.date | _dt.datetime) -> str:
    """``31.12.2024``; with a time of day that is not midnight ``31.12.2024 13:05``."""
    if isinstance(value, _dt.datetime) and value.time() != _dt.time(0, 0):
        return value.strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def metric(value: Any) -> str:
    """A recorded metric: integers grouped (``1.234``), other numbers with at most three
    decimals and no trailing zeros (``0,87``, ``47,3``), booleans ``ja``/``nein``."""
    if isinstance(value, bool):
        return yes_no(value)
    if not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return integer(value)
    if math.isnan(value):
        return MISSING
    return decimal(value, 3)


def metric_value(value: float) -> str:
    """A key figure in a run summary, decimals fixed by size so neighbours read alike.

    Whole ``int`` values grouped (``125.032``); other numbers with three
    decimals below 1 (``0,873``), two below 1.000 (``5,76``, ``4,95``, ``1,00``),
    one above (``1.234,5``). A float that is a whole number keeps its decimals,
    so an accuracy of 1.0 reads ``1,00``, not ``1``.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return integer(value)
    if math.isnan(value):
        return MISSING
    size = abs(value)
    return number(value, 3 if size < 1 else 2 if size < 1000 else 1)


def cell(value: Any, max_digits: int = 2, plain: bool = False) -> str:
    """One table cell: ``–`` for missing, ja/nein, dates, lists joined with commas.

    Whole numbers are grouped from five digits on (``2024``, ``12.345``),
    other numbers keep up to ``max_digits`` decimals. ``plain`` (identifiers,
    years, postcodes; see ``plain_column``) writes whole numbers without
    thousands separator (``900000``). Accepts numpy and pandas scalars
    (``Timestamp``, ``NaT``, ``NaN``).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if type(value).__name__ in ("NaTType", "NAType"):
        return MISSING
    if isinstance(value, list | tuple):
        return ", ".join(cell(v, max_digits, plain) for v in value)
    kind = getattr(getattr(value, "dtype", None), "kind", None)  # numpy scalars
    if isinstance(value, bool) or kind == "b":
        return yes_no(bool(value))
    if isinstance(value, _dt.date):  # pandas.Timestamp is a datetime
        return date(value)
    if isinstance(value, int) or kind in ("i", "u"):
        return str(int(value)) if plain else integer(value, group_from=5)
    if isinstance(value, float) or kind == "f":
        if math.isnan(float(value)):
            return MISSING
        if plain and float(value).is_integer():
            return str(int(value))
        return decimal(float(value), max_digits)
    return str(value)


def value_range(low: float, high: float, plain: bool = False, max_digits: int = 2) -> str:
    """``5.998 bis 24.050``: both ends grouped alike (DIN 5008: once either has five digits).

    ``plain`` (identifiers, years) writes whole numbers without separator:
    ``2019 bis 2024``. Other numbers keep up to ``max_digits`` decimals.
    """
    ends = [low, high]
    if all(float(v).is_integer() for v in ends):
        if plain:
            return f"{int(low)} bis {int(high)}"
        group_from = 4 if max(len(str(abs(int(v)))) for v in ends) >= 5 else 5
        return f"{integer(int(low), group_from)} bis {integer(int(high), group_from)}"
    if max(abs(float(v)) for v in ends) >= 10_000:
        return f"{decimal(float(low), max_digits)} bis {decimal(float(high), max_digits)}"
    texts = []
    for v in ends:  # below 10.000 a four-digit number stays ungrouped on both ends
        text = decimal(float(v), max_digits)
        texts.append(text.replace(".", "") if abs(float(v)) < 10_000 else text)
    return " bis ".join(texts)


YES, NO = "Ja", "Nein"
"""Booleans in a table cell (a cell starts a sentence of its own, hence capitalised)."""

_PLAIN_WORDS = (
    "jahr",
    "year",
    "plz",
    "postleitzahl",
    "id",
    "nr",
    "nr.",
    "nummer",
    "kennung",
    "kennziffer",
    "schluessel",
    "schlüssel",
    "ags",
    "ars",
    "key",
)


def plain_column(name: Any) -> bool:
    """Columns holding years, postcodes or identifiers: digits without thousands separator.

    By the column name's words (``Jahr``, ``PLZ``, ``id``, ``Kundennummer``,
    ``Gemeindeschlüssel``, ``melde_id``): ``2024``, ``24939``, ``900000``.
    """
    words = str(name).lower().replace("_", " ").replace("-", " ").split()
    return any(
        w in _PLAIN_WORDS or w.endswith(("jahr", "nummer", "schlüssel", "schluessel"))
        for w in words
    )


_is_plain = plain_column


def _is_missing(value: Any) -> bool:
    if value is None or type(value).__name__ in ("NaTType", "NAType"):
        return True
    try:
        return bool(value != value)  # NaN is the only value unequal to itself
    except (TypeError, ValueError):  # arrays and other containers
        return False


# Identifier words spelled without umlauts (ASCII column names) and how people write them.
# Whole words only, so „quelle“ or „aktuell“ are never touched.
_UMLAUT_WORDS = {
    w.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss"): w
    for w in (
        "wohnfläche grünfläche fläche flächen kita-plätze plätze plätzen bevölkerung "
        "bevölkerungsdichte grünflächenanteil größe größte höhe höchste häufigkeit anzahl "
        "straße öffentlich öffentliche öffnungszeiten bürger bürgerinnen bürgerbüro gebühr "
        "gebühren zähler zählerstand länge löhne ältere älter über für fällig fälle prüfung "
        "schätzung ausreißer wärme wärmeverbrauch maßnahme verkehrsfläche einwohnerzahl "
        "änderung anträge antragsart schüler schülerinnen gemeindeschlüssel"
    ).split()
}


def readable(label: Any) -> str:
    """A column or index name as a header: ``anzahl_kinder`` -> ``Anzahl kinder``.

    Names that look like identifiers (lower case, digits, underscores, no blank)
    get blanks and a capital first letter; any other text stays as written.
    Numbers are written the German way (years unchanged), booleans as Ja/Nein.
    """
    if isinstance(label, str):
        if label and label == label.lower() and " " not in label and label[0].isalpha():
            words = label.replace("_", " ").split()
            words = [_UMLAUT_WORDS.get(w, w) for w in words]
            for i in range(1, len(words)):
                # „je Einwohner“, „pro 100 Kinder“: what follows je/pro is a noun
                before = words[i - 2] if words[i - 1].isdigit() and i > 1 else words[i - 1]
                if before in ("je", "pro") and words[i].isalpha():
                    words[i] = words[i][:1].upper() + words[i][1:]
            text = " ".join(words)
            return text[:1].upper() + text[1:]
        return label
    if _is_missing(label):
        return MISSING
    kind = getattr(getattr(label, "dtype", None), "kind", None)
    if isinstance(label, bool) or kind == "b":
        return YES if label else NO
    if isinstance(label, int) or kind in ("i", "u"):
        return str(int(label))  # mostly years or categories
    return cell(label)


def _cell_formatter(digits: int, plain: bool, custom: Any = None, whole: bool = False) -> Any:
    """One column's formatter: value -> text, gaps always ``–``.

    ``plain``: digits without thousands separator (years, postcodes);
    ``whole``: a float column holding only whole numbers (counts with gaps) shows no decimals.
    """

    def show(value: Any) -> str:
        if _is_missing(value):
            return MISSING
        if custom is not None:
            return str(custom(value))
        kind = getattr(getattr(value, "dtype", None), "kind", None)
        if isinstance(value, bool) or kind == "b":
            return YES if value else NO
        if isinstance(value, int) or kind in ("i", "u"):
            return str(int(value)) if plain else integer(value)
        if isinstance(value, float) or kind == "f":
            if (plain or whole) and float(value).is_integer():
                return str(int(value)) if plain else integer(int(value))
            return number(float(value), digits)
        if isinstance(value, list | tuple):
            return ", ".join(show(v) for v in value)
        return cell(value, digits)

    return show


_NUMBER_TEXT = re.compile(r"^[-+−±]?\s?\d")


def _is_text(values: Any) -> bool:
    """A column of words (left-aligned); numbers, Ja/Nein and numbers written as text are not."""
    kind = values.dtype.kind
    if kind in "biufcmM":
        return False
    shown = [v for v in values if not _is_missing(v)]
    return bool(shown) and not all(
        isinstance(v, bool | int | float) or _NUMBER_TEXT.match(str(v)) for v in shown
    )


def table(
    data: Any,
    digits: int | dict[Any, int] = 1,
    index: bool | None = None,
    labels: dict[Any, str] | None = None,
    formats: Any = None,
    caption: str | None = None,
) -> Any:
    """A pandas table formatted for people, as a ``pandas.io.formats.style.Styler``.

    ``data`` is a DataFrame or Series (shapes kept; the data are not changed,
    only how they are shown). Every cell: German numbers with ``digits``
    decimals (``1.234,5``; a dict gives digits per column), whole numbers grouped
    (``12.345``), years and postcodes as plain digits (columns and index levels
    whose name contains „jahr“, „year“, „plz“ or „postleitzahl“), ``Ja``/``Nein``
    for booleans, ``31.12.2024`` for dates and ``–`` for gaps (NaN, None, NA, NaT).

    Headers: ``labels`` maps a column or index name to its header; other names
    that look like identifiers are made readable (``kinder_weg`` -> ``Kinder weg``).
    ``index=None`` shows the index only when it carries information (a name or
    labels that are not plain row numbers); ``True``/``False`` force it. A shown
    index becomes the first column(s), so the table has a single header row.
    A float column holding only whole numbers (counts with gaps) shows no decimals.
    ``formats`` is a function used for every cell, or a dict column -> function,
    applied to values that are not gaps (e.g. a percent formatter).
    ``caption`` is shown above the table and read out by screen readers.

    Imports pandas on first use. Raises ``TypeError`` for other objects.
    """
    import pandas as pd

    if isinstance(data, pd.Series):
        data = data.to_frame()
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"table() expects a pandas DataFrame or Series, not {type(data).__name__}")
    labels = dict(labels or {})

    def header(name: Any) -> Any:
        return labels[name] if name in labels else (None if name is None else readable(name))

    def column_digits(column: Any) -> int:
        return digits.get(column, 1) if isinstance(digits, dict) else digits

    from_index: set[Any] = set()  # columns made from the index: no function meant for values

    def column_format(column: Any) -> Any:
        if isinstance(formats, dict):
            return formats.get(column)
        return None if column in from_index else formats

    if index is None:
        named = any(n is not None for n in data.index.names)
        index = named or not pd.api.types.is_integer_dtype(data.index.dtype)
    if index and data.columns.nlevels == 1 and data.columns.name is None:
        # The index becomes the first column(s): one header row instead of pandas' extra row
        # for index names. Kept as index when the column axis has a name to show.
        names = ["" if n is None else n for n in data.index.names]
        if len(set(names)) == len(names) and not set(names) & set(data.columns):
            data = data.rename_axis(index=names).reset_index()
            from_index.update(names)
            index = False

    def formatter(position: int) -> Any:
        column, values = data.columns[position], data.iloc[:, position]
        whole = pd.api.types.is_float_dtype(values.dtype) and bool((values.dropna() % 1 == 0).all())
        return _cell_formatter(
            column_digits(column), _is_plain(column), column_format(column), whole
        )

    # Text columns read from the left, numbers (also numbers already written as text) from the right.
    left = [i for i in range(data.shape[1]) if _is_text(data.iloc[:, i])]
    if not data.columns.is_unique:  # Styler formats by label; show text instead
        data = pd.DataFrame(
            {i: data.iloc[:, i].map(formatter(i)) for i in range(data.shape[1])},
            index=data.index,
        ).set_axis(data.columns, axis=1)
    # Names of the index levels and of the column axis are shown as header cells too.
    data = data.rename_axis(index=[header(n) for n in data.index.names]).rename_axis(
        columns=[header(n) for n in data.columns.names]
    )
    styler = data.style
    if data.columns.is_unique:
        styler = styler.format({c: formatter(i) for i, c in enumerate(data.columns)})
    for level in range(data.columns.nlevels):
        styler = styler.format_index(header, axis=1, level=level)
    if index:
        for level, name in enumerate(data.index.names):
            styler = styler.format_index(_cell_formatter(1, _is_plain(name)), axis=0, level=level)
    else:
        styler = styler.hide(axis="index")
    if left:
        cells = ", ".join(f"td.col{i}, th.col_heading.col{i}" for i in left)
        styler = styler.set_table_styles(
            [{"selector": cells, "props": "text-align: left"}], overwrite=False
        )
    if caption:
        styler = styler.set_caption(caption)
    return styler
