"""Own geodata: find coordinate columns, recognise the reference system, read area files.

German municipalities publish coordinates in several reference systems: WGS84
degrees (``lat``/``lon``, web maps, GPS), ETRS89 / UTM zone 32N or 33N in metres
(``x``/``y``, ``Ostwert``/``Nordwert``; the official system since the 2010s) and the
older Gauß-Krüger system (``Rechtswert``/``Hochwert``, zone in the first digit).
A file rarely says which one it uses. :func:`guess_crs` decides from a declaration
if there is one, otherwise from the value ranges, and always says in German what
it assumed. Swapped columns and points outside Germany get a German message
instead of a map in the wrong place.

Only numpy and pandas are imported at module level; pyproj and geopandas are
imported inside the functions that need them (app kernels stay small).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import GeodataError
from .formatting import count

__all__ = ["GeodataError", "guess_crs", "points_from_table", "read_areas"]

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd


@dataclass(frozen=True)
class ReferenceSystem:
    """A coordinate reference system as the lab explains it, with its plausible range in Germany.

    Ranges are (min, max) of east/x and north/y values for points in Germany
    (with a small margin), taken from the EPSG area of use of each system.
    """

    epsg: int
    name: str
    unit: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def fits(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Boolean array: which points lie in this system's range for Germany."""
        return (
            (x >= self.x_range[0])
            & (x <= self.x_range[1])
            & (y >= self.y_range[0])
            & (y <= self.y_range[1])
        )


NORTH = (5_200_000.0, 6_120_000.0)  # northing of Germany in UTM and Gauß-Krüger (m)
WGS84 = ReferenceSystem(
    4326, "WGS84 (geografische Länge und Breite in Grad)", "Grad", (5.5, 15.5), (47.0, 55.2)
)
UTM32 = ReferenceSystem(
    25832, "ETRS89 / UTM Zone 32N (Meter)", "Meter", (250_000.0, 950_000.0), NORTH
)
UTM33 = ReferenceSystem(
    25833, "ETRS89 / UTM Zone 33N (Meter)", "Meter", (180_000.0, 520_000.0), NORTH
)
UTM32_ZONE = ReferenceSystem(
    4647, "ETRS89 / UTM Zone 32N mit Zonenkennung 32 vor dem Ostwert (Meter)", "Meter",
    (32_250_000.0, 32_950_000.0), NORTH,
)  # fmt: skip
UTM33_ZONE = ReferenceSystem(
    5650, "ETRS89 / UTM Zone 33N mit Zonenkennung 33 vor dem Ostwert (Meter)", "Meter",
    (33_180_000.0, 33_520_000.0), NORTH,
)  # fmt: skip
GAUSS_KRUEGER = tuple(
    ReferenceSystem(
        31464 + zone,
        f"DHDN / Gauß-Krüger Zone {zone} (Meter, Rechtswert beginnt mit {zone})",
        "Meter",
        (zone * 1_000_000 + 250_000.0, zone * 1_000_000 + 750_000.0),
        NORTH,
    )
    for zone in (2, 3, 4, 5)
)
# Order matters where ranges overlap: UTM 32N is the usual system for most of Germany.
CANDIDATES: tuple[ReferenceSystem, ...] = (
    WGS84,
    UTM32,
    UTM33,
    UTM32_ZONE,
    UTM33_ZONE,
    *GAUSS_KRUEGER,
)
BY_EPSG = {rs.epsg: rs for rs in CANDIDATES}
# Names a person may write for a system, lower case, without spaces and punctuation
ALIASES = {
    "wgs84": 4326, "grad": 4326, "latlon": 4326, "epsg4326": 4326,
    "utm32": 25832, "utm32n": 25832, "utmzone32n": 25832, "etrs89utm32n": 25832, "epsg25832": 25832,
    "utm33": 25833, "utm33n": 25833, "utmzone33n": 25833, "etrs89utm33n": 25833, "epsg25833": 25833,
    "epsg4647": 4647, "epsg5650": 5650,
    "gk2": 31466, "gk3": 31467, "gk4": 31468, "gk5": 31469,
    "epsg31466": 31466, "epsg31467": 31467, "epsg31468": 31468, "epsg31469": 31469,
}  # fmt: skip
GAUSS_KRUEGER_WORDS = ("gausskrueger", "gauskrueger", "gauskruger", "gk")

# Column names for the east/x and north/y coordinate, in order of preference
COLUMN_PAIRS = [
    ("lon", "lat"),
    ("lng", "lat"),
    ("laenge", "breite"),
    ("longitude", "latitude"),
    ("x", "y"),
    ("rechtswert", "hochwert"),
    ("ostwert", "nordwert"),
    ("east", "north"),
    ("easting", "northing"),
    ("e", "n"),
]


@dataclass(frozen=True)
class CrsGuess:
    """The reference system used for a set of points and why (German text for people)."""

    system: ReferenceSystem
    reason: str

    @property
    def epsg(self) -> int:
        return self.system.epsg

    def describe(self) -> str:
        return f"Koordinatensystem: {self.system.name}, EPSG:{self.epsg}. {self.reason}"


def _key(name: str) -> str:
    """Lower case, umlauts transliterated, only letters and digits."""
    text = unicodedata.normalize("NFKC", str(name)).lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]", "", text)


def find_coordinate_columns(columns: list[str]) -> tuple[str, str]:
    """The (east/x, north/y) column names among ``columns``.

    Recognised pairs: lat/lon (also lng, Breite/Länge, latitude/longitude), x/y,
    Rechtswert/Hochwert, Ostwert/Nordwert, east/north. Case, spaces and umlauts
    do not matter. Raises :class:`GeodataError` listing the columns if no pair is found.
    """
    keys = {_key(c): c for c in columns}
    for east, north in COLUMN_PAIRS:
        if east in keys and north in keys:
            return keys[east], keys[north]
    found = ", ".join(map(str, columns)) or "(keine)"
    raise GeodataError(
        "In der Tabelle gibt es keine Koordinatenspalten. Erwartet wird ein Paar wie "
        "„lat“/„lon“, „x“/„y“ oder „Rechtswert“/„Hochwert“. Gefundene Spalten: " + found + "."
    )


def parse_coordinates(values: pd.Series, name: str | None = None) -> np.ndarray:
    """Float array from coordinate text such as ``7.05187``, ``7,05187`` or ``363.512,4``.

    A comma is a decimal comma (dots before it group thousands); a single dot is a
    decimal point; several dots group thousands. Raises :class:`GeodataError`
    naming the column and examples for text that is no number or for empty cells.
    """
    import pandas as pd

    label = name or str(values.name)
    if pd.api.types.is_numeric_dtype(values):
        result = values.to_numpy(dtype=float)
    else:
        text = values.astype("string").str.strip().str.replace("\u00a0", "").str.replace(" ", "")
        comma = text.str.contains(",", regex=False).fillna(False)
        dots = text.str.count(r"\.").fillna(0)
        text = text.mask(comma, text.str.replace(".", "", regex=False).str.replace(",", "."))
        text = text.mask(~comma & (dots > 1), text.str.replace(".", "", regex=False))
        result = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(result) & text.notna().to_numpy()
        if bad.any():
            examples = ", ".join(f"„{v}“" for v in values[bad].astype(str).unique()[:3])
            raise GeodataError(
                f"Spalte „{label}“ enthält 1 Wert, der keine Koordinate ist, z. B. {examples}."
                if int(bad.sum()) == 1
                else f"Spalte „{label}“ enthält {count(int(bad.sum()), 'Wert', 'Werte')}, "
                f"die keine Koordinaten sind, z. B. {examples}."
            )
    missing = np.flatnonzero(np.isnan(result))
    if len(missing):
        rows = ", ".join(str(i + 2) for i in missing[:5])
        raise GeodataError(
            f"Spalte „{label}“ ist in {count(len(missing), 'Zeile', 'Zeilen')} leer (Zeile {rows} der Datei); "
            "ohne Koordinaten lässt sich ein Ort nicht auf die Karte setzen."
        )
    return result


def declared_system(declared: str | int | None) -> ReferenceSystem | None:
    """The system a person declared (``"UTM 32N"``, ``"EPSG:25832"``, ``31467``, ``"Gauß-Krüger"``).

    ``None``, ``""`` and ``"automatisch"`` mean: not declared. A bare
    "Gauß-Krüger" returns ``None`` too (the zone comes from the values).
    Raises :class:`GeodataError` for a name it does not know.
    """
    if declared is None:
        return None
    key = _key(str(declared))
    if key in ("", "automatisch", "auto", *GAUSS_KRUEGER_WORDS):
        return None
    if key.isdigit() and int(key) in BY_EPSG:
        return BY_EPSG[int(key)]
    if key in ALIASES:
        return BY_EPSG[ALIASES[key]]
    known = "WGS84, UTM 32N, UTM 33N, Gauß-Krüger, EPSG:4326, EPSG:25832, EPSG:25833, EPSG:31466 bis 31469"
    raise GeodataError(f"Das Koordinatensystem „{declared}“ ist unbekannt. Möglich: {known}.")


def _outside(n: int, total: int) -> str:
    """``1 von 12 Orten liegt`` / ``3 von 12 Orten liegen`` (the verb follows the count)."""
    place = "Ort" if total == 1 else "Orten"
    return f"{n} von {total} {place} {'liegt' if n == 1 else 'liegen'}"


def _rows(mask: np.ndarray) -> str:
    idx = np.flatnonzero(mask)
    shown = ", ".join(str(i + 2) for i in idx[:5])  # +2: header line and 1-based
    return shown + (" …" if len(idx) > 5 else "")


def _span(values: np.ndarray) -> str:
    def fmt(v: float) -> str:
        digits = 5 if abs(v) < 1000 else 0
        return f"{v:,.{digits}f}".replace(",", "X").replace(".", ",").replace("X", ".")

    return f"{fmt(float(np.min(values)))} bis {fmt(float(np.max(values)))}"


def guess_crs(
    x: np.ndarray,
    y: np.ndarray,
    declared: str | int | None = None,
    reference: tuple[float, float, float, float] | None = None,
    min_share: float = 0.8,
) -> CrsGuess:
    """Decide the reference system of points (``x`` east/longitude, ``y`` north/latitude).

    ``declared`` (see :func:`declared_system`) wins if the values fit it. Otherwise
    every system whose German range holds at least ``min_share`` of the points is a
    candidate; if several fit (UTM 32N and 33N overlap), the one that puts most
    points inside ``reference`` (xmin, ymin, xmax, ymax in EPSG:25832, e.g. the
    city's districts) wins, else UTM 32N. Raises :class:`GeodataError` with a German
    message for swapped columns, points outside Germany (naming the rows) and
    values that fit no system.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) == 0:
        raise GeodataError("Die Tabelle enthält keine Orte (keine Zeilen mit Koordinaten).")
    gk_declared = declared is not None and _key(str(declared)) in GAUSS_KRUEGER_WORDS
    system = declared_system(declared)
    pool = GAUSS_KRUEGER if gk_declared else CANDIDATES
    if system is not None:
        pool = (system,)
    shares = {rs.epsg: float(rs.fits(x, y).mean()) for rs in pool}
    fitting = [rs for rs in pool if shares[rs.epsg] >= min_share]
    if not fitting:
        swapped = [rs for rs in CANDIDATES if rs.fits(y, x).mean() >= min_share]
        if swapped:
            raise GeodataError(
                "Die Koordinaten sind offenbar vertauscht: Die Werte der Ost-Spalte "
                f"({_span(x)}) sehen aus wie Nord-Werte und umgekehrt ({swapped[0].name}). "
                "Bitte die beiden Spalten tauschen, z. B. „lat“ (Breite, um 50) und „lon“ (Länge, um 7–14) "
                "richtig benennen."
            )
        others = [rs for rs in CANDIDATES if rs.fits(x, y).mean() >= min_share]
        if system is not None and others:
            raise GeodataError(
                f"Angegeben ist {system.name}, aber die Werte passen nicht dazu (Ost: {_span(x)}, "
                f"Nord: {_span(y)}). Sie passen zu {others[0].name}."
            )
        best = max(CANDIDATES, key=lambda rs: rs.fits(x, y).mean())
        if best.fits(x, y).mean() >= 0.5:
            outside = ~best.fits(x, y)
            raise GeodataError(
                f"{_outside(int(outside.sum()), len(x))} außerhalb Deutschlands "
                f"(angenommen: {best.name}), in Zeile {_rows(outside)} der Datei. "
                "Bitte diese Koordinaten prüfen."
            )
        raise GeodataError(
            "Die Koordinaten passen zu keinem in Deutschland üblichen Koordinatensystem "
            f"(Ost: {_span(x)}, Nord: {_span(y)}): Die Orte lägen außerhalb Deutschlands. "
            "Erwartet werden Grad (Länge 5,5 bis 15,5, Breite 47 bis 55) oder Meter in UTM bzw. Gauß-Krüger."
        )
    chosen = fitting[0]
    if system is not None:
        reason = "So angegeben; die Werte passen dazu."
    elif len(fitting) == 1:
        reason = f"Aus den Wertebereichen erkannt (Ost: {_span(x)}, Nord: {_span(y)})."
    elif reference is not None:
        inside = {rs.epsg: _share_inside(x, y, rs.epsg, reference) for rs in fitting}
        chosen = max(fitting, key=lambda rs: inside[rs.epsg])
        other = next(rs for rs in fitting if rs is not chosen)
        reason = (
            f"Die Werte passen zu {chosen.name} und zu {other.name}; angenommen ist "
            f"{chosen.name}, weil damit {inside[chosen.epsg]:.0%} der Orte im Gebiet liegen "
            f"(sonst {inside[other.epsg]:.0%})."
        ).replace("%", " %")
    else:
        other = fitting[1]
        reason = (
            f"Die Werte passen zu {chosen.name} und zu {other.name}; angenommen ist {chosen.name}. "
            "Liegen die Orte in Ostdeutschland, bitte das Koordinatensystem angeben."
        )
    outside = ~chosen.fits(x, y)
    if outside.any():
        raise GeodataError(
            f"{_outside(int(outside.sum()), len(x))} außerhalb Deutschlands "
            f"(angenommen: {chosen.name}), in Zeile {_rows(outside)} der Datei. "
            "Bitte diese Koordinaten prüfen."
        )
    return CrsGuess(chosen, reason)


def _share_inside(
    x: np.ndarray, y: np.ndarray, epsg: int, box: tuple[float, float, float, float]
) -> float:
    from pyproj import Transformer

    tx, ty = Transformer.from_crs(epsg, 25832, always_xy=True).transform(x, y)
    xmin, ymin, xmax, ymax = box
    margin = 5_000.0
    inside = (
        (tx >= xmin - margin)
        & (tx <= xmax + margin)
        & (ty >= ymin - margin)
        & (ty <= ymax + margin)
    )
    return float(np.mean(inside))


def points_from_table(
    df: pd.DataFrame,
    declared: str | int | None = None,
    reference: tuple[float, float, float, float] | None = None,
    target_epsg: int = 25832,
) -> tuple[gpd.GeoDataFrame, CrsGuess]:
    """Points from a table with coordinate columns, projected to ``target_epsg``.

    Returns the GeoDataFrame (all other columns kept) and the :class:`CrsGuess`
    that says which system was assumed. Raises :class:`GeodataError`.
    """
    import geopandas as gpd

    east, north = find_coordinate_columns(list(df.columns))
    x = parse_coordinates(df[east], east)
    y = parse_coordinates(df[north], north)
    guess = guess_crs(x, y, declared=declared, reference=reference)
    points = gpd.GeoDataFrame(
        df.drop(columns=[east, north]).reset_index(drop=True),
        geometry=gpd.points_from_xy(x, y),
        crs=guess.epsg,
    )
    return points.to_crs(target_epsg), guess


AREA_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")


def read_areas(path: str | Path, target_epsg: int = 25832) -> tuple[gpd.GeoDataFrame, str]:
    """Polygons from GeoJSON, GeoPackage or a zipped Shapefile, projected to ``target_epsg``.

    Returns the areas and a German sentence about the reference system found (or
    assumed from the value ranges when the file declares none). Raises
    :class:`GeodataError` for a missing file, another format, a file that cannot be
    read, no polygons, or areas outside Germany.
    """
    import geopandas as gpd

    source = Path(path)
    if not source.is_file():
        raise GeodataError(f"Die Datei „{path}“ gibt es nicht.")
    if source.suffix.lower() not in AREA_SUFFIXES:
        raise GeodataError(
            f"„{source.name}“ ist keine Gebietsdatei. Erwartet wird GeoJSON (.geojson), "
            "GeoPackage (.gpkg) oder ein gezipptes Shapefile (.zip)."
        )
    try:
        areas = gpd.read_file(source)
    except Exception:  # noqa: BLE001 - the library's English message would not help
        raise GeodataError(
            f"Die Datei „{source.name}“ ließ sich nicht als Gebietsdatei lesen. Ist sie vollständig "
            "(bei Shapefiles: .shp, .shx, .dbf und .prj zusammen in einer ZIP-Datei)?"
        ) from None
    areas = areas[areas.geometry.notna() & ~areas.geometry.is_empty]
    areas = areas[areas.geom_type.isin(["Polygon", "MultiPolygon"])]
    if areas.empty:
        raise GeodataError(f"Die Datei „{source.name}“ enthält keine Flächen (Polygone).")
    corners = areas.geometry.get_coordinates()
    in_degrees = bool(np.abs(corners.to_numpy()).max() <= 360)
    if areas.crs is not None and not (areas.crs.is_geographic and not in_degrees):
        note = f"Koordinatensystem laut Datei: {areas.crs.name} (EPSG:{areas.crs.to_epsg()})."
    else:
        # No CRS, or GeoJSON read as WGS84 (its default) although the values are metres
        guess = guess_crs(corners["x"].to_numpy(), corners["y"].to_numpy())
        first = (
            "Die Datei nennt kein Koordinatensystem. "
            if areas.crs is None
            else "Die Datei gilt als WGS84, ihre Werte sind aber Meter. "
        )
        areas = areas.set_crs(guess.epsg, allow_override=True)
        note = first + guess.describe()
    wgs = areas.to_crs(4326)
    xmin, ymin, xmax, ymax = wgs.total_bounds
    if not (WGS84.fits(np.array([xmin, xmax]), np.array([ymin, ymax])).all()):
        raise GeodataError(
            f"Die Gebiete in „{source.name}“ liegen (teilweise) außerhalb Deutschlands "
            f"(Länge {_span(np.array([xmin, xmax]))}, Breite {_span(np.array([ymin, ymax]))}). "
            "Stimmt das angegebene Koordinatensystem?"
        )
    areas = areas.to_crs(target_epsg)
    areas["geometry"] = areas.geometry.make_valid()
    return areas.reset_index(drop=True), note


def name_column(
    areas: Any, preferred: tuple[str, ...] = ("stadtteil", "name", "bezirk", "gebiet")
) -> str:
    """The column that names the areas: a preferred name, else the first text column."""
    import pandas as pd

    text = [
        c for c in areas.columns if c != "geometry" and not pd.api.types.is_numeric_dtype(areas[c])
    ]
    keys = {_key(c): c for c in text}
    for want in preferred:
        if want in keys:
            return keys[want]
    for want in preferred:
        for key, col in keys.items():
            if key.startswith(want):
                return col
    for col in areas.columns:
        if col != "geometry" and areas[col].dtype == object and areas[col].is_unique:
            return col
    raise GeodataError(
        "Die Gebietsdatei hat keine Spalte mit Namen (z. B. „stadtteil“ oder „name“). "
        f"Vorhandene Spalten: {', '.join(c for c in areas.columns if c != 'geometry')}."
    )


def read_layer(dataset_id: str, name: str) -> gpd.GeoDataFrame:
    """One GeoJSON resource of a bundled dataset package as a GeoDataFrame (its own CRS)."""
    import geopandas as gpd

    from .datasets import package_path, resource

    res = resource(dataset_id, name)
    path = package_path(dataset_id).parent / res["path"]
    if not path.is_file():
        raise GeodataError(f"Datei „{res['path']}“ des Datensatzes „{dataset_id}“ fehlt.")
    return gpd.read_file(path)


def grid_from_areas(
    areas: gpd.GeoDataFrame, values: np.ndarray | None, cell: float = 250.0
) -> pd.DataFrame:
    """Spread a count per area evenly over the centres of a ``cell``-metre grid inside it.

    ``areas`` must be in a metric CRS. ``values`` holds one count per area (``None``:
    every cell gets weight 1, i.e. the analysis measures area). An area too small to
    hold a cell centre gets one point at its representative point. Returns a table
    with ``x``, ``y`` (cell centres), ``wert`` and ``gebiet`` (row number of the area).
    This is the simplest assumption possible (people spread evenly); say so when you use it.
    """
    import pandas as pd
    import shapely

    xmin, ymin, xmax, ymax = areas.total_bounds
    xs = np.arange(np.floor(xmin / cell) * cell + cell / 2, xmax, cell)
    ys = np.arange(np.floor(ymin / cell) * cell + cell / 2, ymax, cell)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    points = shapely.points(gx, gy)
    parts = []
    for i, geom in enumerate(areas.geometry):
        inside = shapely.contains(geom, points)
        px, py = gx[inside], gy[inside]
        if not len(px):
            rep = geom.representative_point()
            px, py = np.array([rep.x]), np.array([rep.y])
        total = 1.0 * len(px) if values is None else float(values[i])
        parts.append(pd.DataFrame({"x": px, "y": py, "wert": total / len(px), "gebiet": i}))
    return pd.concat(parts, ignore_index=True)


TYPE_COLUMNS = ("art", "typ", "type", "kategorie", "einrichtungsart", "einrichtung")
NAME_COLUMNS = ("name", "bezeichnung", "einrichtung", "wirtschaftseinheit", "adresse")


def facility_types(points: Any, default: str) -> tuple[Any, str]:
    """Columns ``art`` (``Kita`` or ``Grundschule``) and ``name`` for own facility points.

    The type comes from a column such as ``art``/``Typ``/``Kategorie``: values that
    contain "kita", "kindergarten", "krippe" or "kindertages" become ``Kita``, values
    that contain "schule" become ``Grundschule``; other rows are dropped. Without such
    a column every point counts as ``default``. Returns the points and a German note
    saying what was assumed. Raises :class:`GeodataError` if no point remains.
    """
    keys = {_key(c): c for c in points.columns if c != "geometry"}
    type_col = next((keys[k] for k in TYPE_COLUMNS if k in keys), None)
    name_col = next((keys[k] for k in NAME_COLUMNS if k in keys and keys[k] != type_col), None)
    out = points.copy()
    out["name"] = (
        out[name_col].astype(str) if name_col else [f"Ort {i + 1}" for i in range(len(out))]
    )
    if type_col is None:
        out["art"] = default
        return out[["name", "art", "geometry"]], (
            "Die Datei hat keine Spalte mit der Art der Einrichtung (z. B. „art“): "
            + (
                f"Alle {len(out)} Orte gelten als {default}."
                if len(out) != 1
                else f"Der Ort gilt als {default}."
            )
        )
    values = out[type_col].astype(str).map(_key)
    kita = values.str.contains("kita|kindergarten|krippe|kindertages")
    schule = values.str.contains("schule") & ~kita
    out["art"] = np.where(kita, "Kita", np.where(schule, "Grundschule", ""))
    kept = out[out["art"] != ""]
    if kept.empty:
        found = ", ".join(sorted(out[type_col].astype(str).unique())[:8])
        raise GeodataError(
            f"In Spalte „{type_col}“ steht keine Kita und keine Schule. Gefundene Werte: {found}."
        )
    note = (
        f"Art der Einrichtung aus Spalte „{type_col}“: {count(int(kita.sum()), 'Kita', 'Kitas')}, "
        f"{count(int(schule.sum()), 'Schule', 'Schulen')} (als Grundschule gezählt)"
    )
    dropped = len(out) - len(kept)
    note += f"; {dropped} andere Orte nicht berücksichtigt." if dropped else "."
    return kept[["name", "art", "geometry"]].reset_index(drop=True), note
