"""The contract every lab's data keeps, checked over the whole catalogue.

* each dataset a lab uses is a valid, synthetic Frictionless package;
* its generator in scripts/ reproduces every committed file byte for byte;
* the table a lab accepts as own data survives a German spreadsheet round trip
  (``;``, decimal comma, dd.mm.yyyy, ja/nein; Windows-1252 and UTF-8 with BOM);
* a misnamed column gets a German message naming the expected and missing columns.

A lab's own test file keeps only what is particular to its story.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import datenlabor
from datenlabor import datasets
from datenlabor.catalog import discover
from datenlabor.columns import DEFAULTS, INDICATOR_TABLES, OPTIONAL_MAY_BE_MISSING, SYNONYMS
from datenlabor.errors import CsvError
from datenlabor.paths import project_root
from datenlabor.shapes import forms
from tests.helpers import german_csv

LABS = discover()
DATASETS = sorted({d for lab in LABS for d in lab.datasets})
MAX_CSV_BYTES = 2_000_000


def _own_data_tables() -> list:
    """(lab, dataset, table) for each parameter that takes the municipality's own CSV file."""
    found = []
    for lab in LABS:
        for name, param in lab.parameters.items():
            if param.kind != "csv":
                continue
            dataset = param.extra.get("dataset") or lab.datasets[0]
            table = param.extra.get("table")
            found.append(pytest.param(dataset, table, id=f"{lab.slug}-{name}"))
    return found


def _other_shapes() -> list:
    """(dataset, table) for each further shape an own file may have (shapes.detect_form)."""
    found = []
    for lab in LABS:
        for name, param in lab.parameters.items():
            if param.kind != "csv" or not param.extra.get("form_parameter"):
                continue
            dataset = param.extra.get("dataset") or lab.datasets[0]
            main_table = param.extra.get("table") or datasets.resource(dataset)["name"]
            for form, other in forms(dataset).items():
                if other != main_table:
                    found.append(pytest.param(dataset, other, id=f"{lab.slug}-{name}-{form}"))
    return found


OWN_DATA = _own_data_tables()
ALL_SHAPES = OWN_DATA + _other_shapes()


def test_every_lab_names_its_datasets_and_own_data():
    assert DATASETS and all(lab.datasets for lab in LABS)
    # every lab runs on the municipality's own file: a CSV of the dataset's schema, or
    # files the notebook reads itself ("datei", e.g. geodata in orte-und-wege)
    files = [lab for lab in LABS if any(p.kind == "datei" for p in lab.parameters.values())]
    assert len(OWN_DATA) + len(files) == len(LABS)


@pytest.mark.parametrize("dataset", DATASETS)
def test_package_validates_and_is_marked_synthetic(dataset):
    assert datasets.validate_package(dataset) == []
    assert datasets.is_synthetic(dataset)


@pytest.mark.parametrize("dataset", DATASETS)
def test_generator_reproduces_every_file_byte_for_byte(dataset, tmp_path):
    script = project_root() / "scripts" / f"make_{dataset.replace('-', '_')}.py"
    subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True
    )
    committed = datasets.package_path(dataset).parent
    written = sorted(p.name for p in tmp_path.iterdir())
    assert {p.name for p in committed.glob("*.csv")} <= set(written)
    for name in written:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name
    for csv in committed.glob("*.csv"):
        assert csv.stat().st_size < MAX_CSV_BYTES, f"{csv.name} is too large for the repository"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
@pytest.mark.parametrize(("dataset", "table"), ALL_SHAPES)
def test_own_german_csv_loads_like_the_bundled_table(dataset, table, encoding, tmp_path):
    bundled = datenlabor.load(dataset, table)
    own = tmp_path / "eigene.csv"
    own.write_bytes(german_csv(bundled, encoding))
    loaded = datenlabor.load(dataset, table, path=own)
    if dataset in INDICATOR_TABLES:
        # indicator tables keep the key columns and every number column under its own
        # name; identifiers (bezirk_nr) and other text columns are not indicators
        numbers = [c for c in bundled.select_dtypes("number") if not c.endswith("_nr")]
        assert set(loaded.attrs["indikatoren"].values()) == set(numbers) - {"jahr"}
        shared = [c for c in bundled.columns if c in loaded.columns]
        assert set(shared) >= set(numbers) | {k for k in INDICATOR_TABLES[dataset] if k in bundled}
        loaded, bundled = loaded[shared], bundled[shared]
    pd.testing.assert_frame_equal(
        loaded.reset_index(drop=True), bundled.reset_index(drop=True), check_dtype=False
    )


@pytest.mark.parametrize(("dataset", "table"), ALL_SHAPES)
def test_misnamed_column_gets_a_german_message(dataset, table, tmp_path):
    expected = datasets.expected_columns(dataset, table)
    # the last column the file cannot do without (columns.DEFAULTS may fill some, and
    # datasets in OPTIONAL_MAY_BE_MISSING may lack optional ones)
    fields = datasets.resource(dataset, table)["schema"]["fields"]
    required = {f["name"] for f in fields if (f.get("constraints") or {}).get("required")}
    lax = dataset in OPTIONAL_MAY_BE_MISSING
    may_miss = {f["name"] for f in fields if f.get("missingAllowed")}  # stays empty
    if dataset in INDICATOR_TABLES:  # only the key columns are expected, the rest are indicators
        keys = INDICATOR_TABLES[dataset]
        expected = list(keys)
        required = {k for k, needed in keys.items() if needed}
        lax = True
    column = next(
        c
        for c in reversed(expected)
        if c not in DEFAULTS and (c in required or not (lax or c in may_miss))
    )
    bundled = datenlabor.load(dataset, table).head(20)
    # a column that is a known other name of the missing one would stand in for it
    bundled = bundled.drop(columns=[c for c in bundled if c in SYNONYMS.get(column, ())])
    bad = tmp_path / "falsch.csv"
    bad.write_bytes(german_csv(bundled.rename(columns={column: f"{column} (alt)"})))
    with pytest.raises(CsvError) as info:
        datenlabor.load(dataset, table, path=bad)
    message = str(info.value)
    assert "falsch.csv" in message and "passt nicht zum erwarteten Aufbau" in message
    assert f"Erwartete Spalten: {', '.join(expected)}" in message
    assert f"Es fehlen: {column}" in message
