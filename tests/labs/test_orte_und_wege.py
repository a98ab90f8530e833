"""Lab "Orte und Wege": its geodata package, own geodata (areas and locations), and the app."""

from __future__ import annotations

import re

import numpy as np
import pytest

import datenlabor
from datenlabor import datasets, geodata
from datenlabor.catalog import get_lab
from datenlabor.errors import RunError
from tests.helpers import fixture_path
from tests.notebooks import execute_lab

SLUG = "orte-und-wege"
DATASET = "orte-musterstadt"
FILES = [
    "bevoelkerung-raster.csv",
    "stadtteile.geojson",
    "einrichtungen.geojson",
    "gewaesser.geojson",
    "gruenflaechen.geojson",
    "wege.geojson",
]


@pytest.fixture(scope="module")
def lab():
    return get_lab(SLUG)


@pytest.fixture(scope="module")
def layers():
    return {
        name: geodata.read_layer(DATASET, name)
        for name in ("stadtteile", "einrichtungen", "gewaesser", "wege")
    }


def test_dataset_names_its_source_licence_and_layers():
    # validity, "synthetic" and the generator's bytes: tests/labs/test_contract.py
    desc = datasets.describe(DATASET)
    assert "make_orte_musterstadt.py" in desc["sources"][0]["title"]
    assert desc["licenses"][0]["name"] == "CC0-1.0"
    assert [r["path"] for r in desc["resources"]] == FILES


def test_layers_are_in_utm_32n_and_the_districts_tile_the_city(layers):
    for name, layer in layers.items():
        assert layer.crs.to_epsg() == 25832, name
        assert layer.is_valid.all(), name
    districts = layers["stadtteile"]
    assert len(districts) == 12
    # no gaps, no overlaps: the areas add up to the area of their union
    assert districts.area.sum() == pytest.approx(districts.union_all().area, rel=1e-9)
    grid = datenlabor.load(DATASET, "bevoelkerung-raster")
    assert grid["kinder_unter_6"].sum() == districts["kinder_unter_6"].sum()
    assert grid["einwohner"].sum() == districts["einwohner"].sum()


def test_built_in_patterns(layers):
    districts = layers["stadtteile"].set_index("stadtteil")
    facilities = layers["einrichtungen"]
    kitas = facilities[facilities["art"] == "Kita"]["stadtteil"].value_counts()
    children_per_kita = districts["kinder_unter_6"] / kitas
    assert children_per_kita.idxmax() == "Am Sonnenhang"  # new housing area, few Kitas
    assert districts["einwohner"].idxmax() == "Altstadt"
    # no facility stands in the river
    river = layers["gewaesser"].union_all()
    assert not facilities.within(river).any()
    # the path network crosses the river only at the bridges: few path lines touch the water
    assert 1 <= layers["wege"].intersects(river).sum() <= 10


def test_app_controls_and_own_data_choices_fit(lab):
    params = lab.parameters
    assert params["einrichtung"].validate("Grundschule") == "Grundschule"
    assert params["entfernung"].validate("1000") == 1000
    for choice in lab.constraints["koordinaten"]["choices"]:
        geodata.declared_system(choice)  # every offered declaration is understood
    nb_source = lab.notebook.read_text(encoding="utf-8")
    for label in lab.constraints["klassifikation"]["choices"]:
        assert re.search(rf'\\"{re.escape(label)}\\": \\"\w+\\"', nb_source), label


def _gauss_krueger_csv(layers, path):
    """Kitas as a municipal export: Rechtswert/Hochwert in Gauß-Krüger zone 2, ';', decimal comma."""
    kitas = layers["einrichtungen"]
    kitas = kitas[kitas["art"] == "Kita"].to_crs(31466)
    lines = ["Bezeichnung;Einrichtungsart;Rechtswert;Hochwert"]
    for _, row in kitas.iterrows():
        x = f"{row.geometry.x:.2f}".replace(".", ",")
        y = f"{row.geometry.y:.2f}".replace(".", ",")
        lines.append(f"{row['name']};Kindertagesstätte;{x};{y}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return len(kitas)


@pytest.mark.slow
def test_own_locations_real_shaped_export_in_degrees(lab, tmp_path):
    """The shared building export: x/y hold WGS84 degrees, 15 rows are Kitas."""
    own = fixture_path("eigene-daten", "gebaeude-energie.csv")
    out = tmp_path / "eigene.ipynb"
    metrics = execute_lab(lab, out, {**lab.ci_parameters, "orte": str(own)})
    assert metrics["anzahl_einrichtungen"] == 15
    assert metrics["anzahl_stadtteile"] == 12
    assert 0 < metrics["anteil_weg"] <= metrics["anteil_luftlinie"] <= 100
    text = out.read_text(encoding="utf-8")
    assert "WGS84" in text and "Aus den Wertebereichen erkannt" in text


@pytest.mark.slow
def test_own_areas_as_zipped_shapefile_and_gauss_krueger_locations(lab, layers, tmp_path):
    import zipfile

    shp = tmp_path / "shp"
    shp.mkdir()
    areas = layers["stadtteile"][["stadtteil", "kinder_unter_6", "geometry"]]
    areas.rename(columns={"kinder_unter_6": "kinder"}).to_crs(4326).to_file(shp / "bezirke.shp")
    archive = tmp_path / "bezirke.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.iterdir():
            zf.write(part, part.name)
    csv = tmp_path / "kitas.csv"
    n = _gauss_krueger_csv(layers, csv)
    out = tmp_path / "eigene.ipynb"
    params = {**lab.ci_parameters, "gebiete": str(archive), "orte": str(csv)}
    metrics = execute_lab(lab, out, params)
    assert metrics["anzahl_stadtteile"] == 12
    assert metrics["anzahl_einrichtungen"] == n
    # no path network for own areas: the Manhattan distance is between 1 and sqrt(2) times longer
    assert 1.0 <= metrics["umwegfaktor"] <= 1.42
    text = out.read_text(encoding="utf-8")
    assert "Gauß-Krüger Zone 2" in text and "Kinder aus Spalte" in text


@pytest.mark.slow
def test_swapped_coordinates_stop_with_a_german_message(lab, layers, tmp_path):
    kitas = layers["einrichtungen"].to_crs(4326)
    csv = tmp_path / "vertauscht.csv"
    rows = [f"{p.y:.5f},{p.x:.5f}" for p in kitas.geometry]  # lat written into "lon" and back
    csv.write_text("lon,lat\n" + "\n".join(rows) + "\n", encoding="utf-8")
    from datenlabor.running import execute

    with pytest.raises(RunError, match="offenbar vertauscht"):
        execute(
            lab, {"orte": str(csv)}, tmp_path / "runs", progress=False, html=False, history=False
        )


def test_swapped_coordinates_message_in_the_module(layers):
    kitas = layers["einrichtungen"].to_crs(4326)
    with pytest.raises(geodata.GeodataError, match="vertauscht"):
        geodata.guess_crs(kitas.geometry.y.to_numpy(), kitas.geometry.x.to_numpy())
    assert np.isfinite(kitas.geometry.x).all()


@pytest.mark.browser
@pytest.mark.slow
def test_app_changes_the_map_when_the_distance_changes(app_url, page):
    from playwright.sync_api import expect

    from tests.browser import assert_no_code, open_app
    from tests.test_server_browser import axe_violations

    box = open_app(page, app_url(SLUG))
    plot = box.locator("img").first
    expect(plot).to_have_attribute("alt", re.compile(r"höchstens 500 m Fußweg"))
    table = box.locator("table caption")
    expect(table).to_contain_text("Kita, 500 m")
    expect(box).to_contain_text("Klasse 1:")

    page.get_by_label("Höchste Entfernung (Meter)", exact=True).select_option("1000")

    # a change recomputes distances and redraws the map: allow for a busy machine
    expect(plot).to_have_attribute("alt", re.compile(r"höchstens 1\.000 m Fußweg"), timeout=60_000)
    expect(table).to_contain_text("Kita, 1.000 m", timeout=60_000)
    page.get_by_label("Einrichtung", exact=True).select_option("Grundschule")
    expect(plot).to_have_attribute("alt", re.compile(r"eine Grundschule"), timeout=60_000)
    assert_no_code(page)
    report = axe_violations(page)
    assert not report, report


@pytest.mark.browser
@pytest.mark.slow
def test_app_on_a_phone(app_url, browser):
    from tests.browser import open_app
    from tests.test_server_browser import axe_violations, narrow, no_horizontal_scroll

    ctx, pg = narrow(browser)
    try:
        pg.set_default_navigation_timeout(180_000)
        box = open_app(pg, app_url(SLUG))
        assert box.locator("img").first.get_attribute("alt").startswith("Karte der 12 Stadtteile")
        assert no_horizontal_scroll(pg)
        report = axe_violations(pg)
        assert not report, report
    finally:
        ctx.close()
