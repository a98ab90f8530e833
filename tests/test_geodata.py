"""Own geodata: coordinate columns, reference systems from declarations and value ranges, area files."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

import datenlabor
from datenlabor import geodata
from datenlabor.geodata import GeodataError, find_coordinate_columns, guess_crs, parse_coordinates
from tests.helpers import fixture_path

# Musterstadt's box in EPSG:25832 (xmin, ymin, xmax, ymax)
MUSTERSTADT = (358_500.0, 5_651_000.0, 367_500.0, 5_658_000.0)
# A few points in Musterstadt in EPSG:25832
EAST = np.array([359_900.0, 362_500.0, 366_700.0, 363_100.0])
NORTH = np.array([5_651_700.0, 5_654_400.0, 5_657_000.0, 5_652_900.0])


def transform(epsg: int) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    return Transformer.from_crs(25832, epsg, always_xy=True).transform(EAST, NORTH)


# --- columns and numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["id", "lat", "lon"], ("lon", "lat")),
        (["Name", "Breite", "Länge"], ("Länge", "Breite")),
        (["X", "Y", "Typ"], ("X", "Y")),
        (["Rechtswert", "Hochwert"], ("Rechtswert", "Hochwert")),
        (["ostwert ", "Nordwert"], ("ostwert ", "Nordwert")),
        (["latitude", "longitude"], ("longitude", "latitude")),
    ],
)
def test_coordinate_columns_are_found_by_name(columns, expected):
    assert find_coordinate_columns(columns) == expected


def test_missing_coordinate_columns_give_a_german_message():
    with pytest.raises(
        GeodataError, match="keine Koordinatenspalten.*Gefundene Spalten: name, ort"
    ):
        find_coordinate_columns(["name", "ort"])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7.05187", 7.05187),
        ("7,05187", 7.05187),
        ("363512,4", 363_512.4),
        ("363.512,4", 363_512.4),
        ("5.654.321", 5_654_321.0),
        (" 51.02 ", 51.02),
    ],
)
def test_coordinates_are_read_with_decimal_point_or_comma(text, value):
    assert parse_coordinates(pd.Series([text]), "x")[0] == pytest.approx(value)


def test_text_and_empty_cells_in_coordinates_are_named():
    with pytest.raises(
        GeodataError, match="Spalte „lat“ enthält 1 Wert, der keine Koordinate ist.*„Nordpol“"
    ):
        parse_coordinates(pd.Series(["51,0", "Nordpol"], name="lat"))
    with pytest.raises(GeodataError, match="in 1 Zeile leer \\(Zeile 3 der Datei\\)"):
        parse_coordinates(pd.Series(["51,0", None], name="lat"))


# --- reference systems -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("epsg", "declared", "expected"),
    [
        (4326, None, 4326),
        (25832, None, 25832),
        (31466, None, 31466),  # Gauß-Krüger zone 2, Rechtswert 2.5xx.xxx
        (31467, None, 31467),  # zone 3 (Musterstadt lies west of it, but the range says 3)
        (4647, None, 4647),  # UTM with zone number 32 in front of the easting
        (25832, "UTM 32N", 25832),
        (25832, "EPSG:25832", 25832),
        (4326, "WGS84", 4326),
        (31466, "Gauß-Krüger", 31466),
        (31466, "GK2", 31466),
    ],
)
def test_reference_system_from_values_or_declaration(epsg, declared, expected):
    x, y = transform(epsg)
    guess = guess_crs(x, y, declared=declared)
    assert guess.epsg == expected
    assert guess.reason and "EPSG:" in guess.describe()


def test_utm_32_and_33_overlap_the_city_decides():
    guess = guess_crs(EAST, NORTH)
    assert guess.epsg == 25832
    assert "angenommen" in guess.reason and "Ostdeutschland" in guess.reason
    assert guess_crs(EAST, NORTH, reference=MUSTERSTADT).epsg == 25832
    # Points in Berlin given in UTM 33N: the reference area in Berlin picks zone 33
    berlin_x, berlin_y = np.array([389_000.0, 392_000.0]), np.array([5_818_000.0, 5_821_000.0])
    from pyproj import Transformer

    bx, by = Transformer.from_crs(25833, 25832, always_xy=True).transform(berlin_x, berlin_y)
    box = (bx.min() - 1000, by.min() - 1000, bx.max() + 1000, by.max() + 1000)
    guess = guess_crs(berlin_x, berlin_y, reference=box)
    assert guess.epsg == 25833
    assert "100 % der Orte im Gebiet" in guess.reason


def test_swapped_latitude_and_longitude_get_a_german_message():
    lon, lat = transform(4326)
    with pytest.raises(GeodataError, match="offenbar vertauscht"):
        guess_crs(lat, lon)
    with pytest.raises(GeodataError, match="offenbar vertauscht"):
        guess_crs(NORTH, EAST)


def test_points_outside_germany_are_named_by_row():
    with pytest.raises(GeodataError, match="außerhalb Deutschlands"):
        guess_crs(np.array([2.35, 2.36]), np.array([48.85, 48.86]))  # Paris
    lon, lat = transform(4326)
    lon, lat = np.append(lon, 0.0), np.append(lat, 0.0)  # "Null Island": a failed geocoding
    with pytest.raises(GeodataError, match="1 von 5 Orten .* in Zeile 6 der Datei"):
        guess_crs(lon, lat)


def test_declared_system_must_fit_the_values():
    lon, lat = transform(4326)
    with pytest.raises(
        GeodataError, match="Angegeben ist ETRS89 / UTM Zone 32N.*Sie passen zu WGS84"
    ):
        guess_crs(lon, lat, declared="UTM 32N")
    with pytest.raises(GeodataError, match="„Mercator“ ist unbekannt"):
        guess_crs(lon, lat, declared="Mercator")


@pytest.mark.parametrize("epsg", [4326, 25832, 31466, 4647])
def test_points_from_table_land_where_they_belong(epsg):
    x, y = transform(epsg)
    table = pd.DataFrame({"name": list("ABCD"), "x": x, "y": y})
    points, guess = geodata.points_from_table(table, reference=MUSTERSTADT)
    assert guess.epsg == epsg
    assert points.crs.to_epsg() == 25832
    # Gauß-Krüger uses another datum (DHDN): a few metres without the national grid file
    tolerance = 10.0 if epsg == 31466 else 0.01
    assert np.allclose(points.geometry.x, EAST, atol=tolerance)
    assert np.allclose(points.geometry.y, NORTH, atol=tolerance)
    assert points["name"].tolist() == list("ABCD")


def test_real_shaped_building_file_degrees_in_x_and_y_columns():
    """The shared export: ';', BOM, x/y columns holding WGS84 degrees with a decimal point."""
    table = datenlabor.read_csv(fixture_path("eigene-daten", "gebaeude-energie.csv"))
    points, guess = geodata.points_from_table(table, reference=MUSTERSTADT)
    assert guess.epsg == 4326
    xmin, ymin, xmax, ymax = points.total_bounds
    assert MUSTERSTADT[0] < xmin < xmax < MUSTERSTADT[2]
    assert MUSTERSTADT[1] < ymin < ymax < MUSTERSTADT[3]
    kitas, note = geodata.facility_types(points, "Kita")
    assert (kitas["art"] == "Kita").sum() == 15
    assert (kitas["art"] == "Grundschule").sum() == 8
    assert "Spalte „Typ“" in note and "nicht berücksichtigt" in note
    assert kitas["name"].iloc[0] == "Kirchplatz 38" or kitas["name"].str.len().min() > 0


def test_without_a_type_column_every_point_is_the_chosen_facility():
    x, y = transform(4326)
    points, _ = geodata.points_from_table(pd.DataFrame({"lat": y, "lon": x}))
    kitas, note = geodata.facility_types(points, "Grundschule")
    assert set(kitas["art"]) == {"Grundschule"}
    assert "Alle 4 Orte gelten als Grundschule" in note
    assert kitas["name"].tolist() == ["Ort 1", "Ort 2", "Ort 3", "Ort 4"]


# --- area files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def districts():
    return geodata.read_layer("orte-musterstadt", "stadtteile")


@pytest.mark.filterwarnings("ignore:Column names longer", "ignore:Normalized/laundered")
@pytest.mark.filterwarnings("ignore:Field stand created")
def test_area_files_in_three_formats_and_other_systems(districts, tmp_path):
    area = districts.area.sum()
    gpkg = tmp_path / "gebiete.gpkg"
    districts.to_crs(31466).to_file(gpkg, driver="GPKG")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    districts.to_crs(4326).to_file(shp_dir / "gebiete.shp")
    archive = tmp_path / "gebiete.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp_dir.iterdir():
            zf.write(part, part.name)
    geojson = tmp_path / "gebiete.geojson"
    districts.to_crs(4326).to_file(geojson, driver="GeoJSON")
    for path, epsg in [(gpkg, 31466), (archive, 4326), (geojson, 4326)]:
        areas, note = geodata.read_areas(path)
        assert areas.crs.to_epsg() == 25832
        assert areas.area.sum() == pytest.approx(area, rel=1e-3)
        assert f"EPSG:{epsg}" in note
        assert geodata.name_column(areas) == "stadtteil"


def test_geojson_with_metres_but_no_crs_is_recognised(districts, tmp_path):
    # Many portals write UTM coordinates into GeoJSON without a "crs" member
    data = json.loads(districts.drop(columns="stand").to_json(drop_id=True))
    data.pop("crs", None)
    path = tmp_path / "ohne-crs.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    areas, note = geodata.read_areas(path)
    assert "ihre Werte sind aber Meter" in note and "EPSG:25832" in note
    assert areas.area.sum() == pytest.approx(districts.area.sum(), rel=1e-6)


def test_bad_area_files_get_german_messages(tmp_path):
    with pytest.raises(GeodataError, match="gibt es nicht"):
        geodata.read_areas(tmp_path / "fehlt.geojson")
    text = tmp_path / "gebiete.csv"
    text.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(GeodataError, match="keine Gebietsdatei"):
        geodata.read_areas(text)
    broken = tmp_path / "kaputt.zip"
    broken.write_bytes(b"PK\x03\x04 nicht wirklich")
    with pytest.raises(GeodataError, match="ließ sich nicht als Gebietsdatei lesen"):
        geodata.read_areas(broken)
    points = tmp_path / "punkte.geojson"
    points.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "Point", "coordinates": [7.0, 51.0]}}]}',
        encoding="utf-8",
    )
    with pytest.raises(GeodataError, match="keine Flächen"):
        geodata.read_areas(points)


def test_grid_from_areas_keeps_the_totals(districts):
    cells = geodata.grid_from_areas(districts, districts["kinder_unter_6"].to_numpy(), 250.0)
    assert cells["wert"].sum() == pytest.approx(districts["kinder_unter_6"].sum())
    per_area = cells.groupby("gebiet")["wert"].sum()
    assert per_area.to_numpy() == pytest.approx(districts["kinder_unter_6"].to_numpy())
    area_only = geodata.grid_from_areas(districts, None, 250.0)
    assert area_only["wert"].eq(1.0).all()
