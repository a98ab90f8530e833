"""Lab "Stadtteile vergleichen": its dataset, own data in German CSV style, and the app."""

from __future__ import annotations

import re

import nbformat
import pytest

import datenlabor
from datenlabor import datasets
from datenlabor.catalog import get_lab
from tests.helpers import german_csv
from tests.notebooks import execute_lab

SLUG = "stadtteile-vergleichen"
DATASET = "stadtteil-profile"


@pytest.fixture(scope="module")
def lab():
    return get_lab(SLUG)


def test_dataset_has_enough_districts_for_clustering():
    df = datenlabor.load(DATASET)
    assert 40 <= len(df) <= 80
    assert df["bezirk_nr"].is_unique
    # density is in thousands, percentages are not: the lab's reason to scale
    assert df["bevoelkerungsdichte"].std() > 100 * df["arbeitslosenquote"].std()


def test_app_choices_match_the_notebook(lab):
    params = lab.parameters
    assert params["indikatoren"].validate(params["indikatoren"].default)
    assert params["k"].validate(params["k"].default) == 5
    source = "\n".join(
        c.source for c in nbformat.read(lab.notebook, as_version=4).cells if c.cell_type == "code"
    )
    columns = set(datasets.expected_columns(DATASET))
    for label in lab.constraints["indikatoren"]["choices"]:
        match = re.search(rf'"{re.escape(label)}": "(\w+)"', source)
        assert match, f"Indikator {label!r} fehlt in INDIKATOREN"
        assert match.group(1) in columns


@pytest.mark.slow
def test_own_german_csv_is_used(lab, tmp_path):
    # A smaller city: 45 districts, saved the German way
    bundled = datenlabor.load(DATASET)
    own_df = bundled.drop(bundled.index[::4])
    own = tmp_path / "eigene_bezirke.csv"
    own.write_bytes(german_csv(own_df))
    out = tmp_path / "eigene.ipynb"
    metrics = execute_lab(lab, out, {**lab.ci_parameters, "daten": str(own)})
    assert metrics["anzahl_bezirke"] == 45
    assert 0.3 <= metrics["silhouette"] <= 0.8
    assert 2 <= metrics["bestes_k"] <= 8
    # With own data the indicators are the file's number columns (here the first eight:
    # einwohner, bevoelkerungsdichte, …); two large-scale columns, inhabitants and density,
    # share the unscaled distances, so the largest has about half of them.
    assert metrics["anteil_groesstes_merkmal_ohne_skalierung"] > 0.45


@pytest.mark.browser
@pytest.mark.slow
def test_app_answers_to_other_indicators(app_url, page):
    from playwright.sync_api import expect

    from tests.browser import assert_no_code, open_app

    box = open_app(page, app_url(SLUG))
    plot = box.locator("img").first
    expect(plot).to_have_attribute("alt", re.compile(r"nach 8 Merkmalen"))

    page.get_by_label("Merkmale", exact=True).select_option(
        label=["Bevölkerungsdichte", "Grünflächenanteil"]
    )

    expect(plot).to_have_attribute("alt", re.compile(r"nach 2 Merkmalen"))
    expect(box).to_contain_text("Gruppe 1")
    assert_no_code(page)
