"""`datenlabor daten holen` and `daten beschreiben` against a CKAN-shaped server on 127.0.0.1.

The server answers like CKAN's Action API (``{"help", "success", "result"}``,
errors as ``{"success": false, "error": {"__type": ...}}`` with HTTP 404) and
serves the real-shaped files of tests/fixtures/eigene-daten as resources. No
test reaches the internet. After every failure the target folder is absent and
no temporary folder is left behind.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import frictionless
import pytest

from datenlabor.cli import main
from datenlabor.datapackage import find_licence
from tests.helpers import fixture_path, free_port

OWN = fixture_path("eigene-daten")
RELEASE = threading.Event()  # the slow route waits for this (set at the end), never a fixed sleep


def _resource(rid: str, name: str, fmt: str, path: str, **extra) -> dict:
    return {"id": rid, "name": name, "format": fmt, "url": path, "description": "", **extra}


def _package(name: str, title: str, resources: list[dict], **extra) -> dict:
    """A package_show result shaped like CKAN 2.10 with DCAT-AP.de fields (GovData)."""
    return {
        "id": f"id-{name}",
        "name": name,
        "title": title,
        "notes": f"{title}: erfundene Testdaten.",
        "license_id": "",
        "license_title": "",
        "license_url": "",
        "organization": {"name": "musterstadt", "title": "Stadt Musterstadt"},
        "author": "",
        "maintainer": "",
        "metadata_modified": "2026-11-01T08:00:00.000000",
        "tags": [{"name": "verkehr", "display_name": "Verkehr"}],
        "extras": [],
        "url": "",
        "resources": resources,
        **extra,
    }


PACKAGES = {
    "radzaehlung": _package(
        "radzaehlung",
        "Radzählung Musterstadt",
        [
            _resource(
                "r1",
                "Tageswerte",
                "CSV",
                "/files/radzaehlung.csv",
                license="http://dcat-ap.de/def/licenses/dl-by-de/2.0",
            ),
            _resource("r2", "Erläuterungen", "PDF", "/files/doku.pdf"),
        ],
        license_id="http://dcat-ap.de/def/licenses/dl-by-de/2.0",
        extras=[{"key": "publisher_name", "value": "Stadt Musterstadt, Straßenverkehrsamt"}],
    ),
    "stadtteile": _package(
        "stadtteile",
        "Stadtteile in Zahlen",
        [_resource("s1", "Stadtteile 2019-2024", "csv", "/files/stadtteile-statistik.csv")],
        license_id="dl-de-zero-2.0",
    ),
    "meldungen": _package(
        "meldungen",
        "Mängelmelder",
        [
            _resource("m1", "Export 2025", "CSV", "/files/maengelmelder-export.csv"),
            _resource("m2", "Export 2025 (Kopie)", "text/csv", "/files/maengelmelder-export.csv"),
        ],
        license_id="CC-BY-4.0",
    ),
    "gebaeude": _package(
        "gebaeude",
        "Energieverbrauch städtischer Gebäude",
        [_resource("g1", "Verbrauch", "CSV", "/files/gebaeude-energie.csv")],
        license_id="cc-zero",
    ),
    "ohne-lizenz": _package(
        "ohne-lizenz",
        "Ohne Lizenz",
        [_resource("o1", "Daten", "CSV", "/files/radzaehlung.csv")],
        license_id="notspecified",
    ),
    "nur-pdf": _package(
        "nur-pdf", "Nur PDF", [_resource("p1", "Bericht", "PDF", "/files/doku.pdf")]
    ),
    "kaputt-500": _package(
        "kaputt-500",
        "Server-Fehler",
        [_resource("k1", "Daten", "CSV", "/error/500.csv")],
        license_id="dl-de-zero-2.0",
    ),
    "fehlt-404": _package(
        "fehlt-404",
        "Datei fehlt",
        [_resource("f1", "Daten", "CSV", "/error/404.csv")],
        license_id="dl-de-zero-2.0",
    ),
    "bild": _package(
        "bild",
        "Bild statt CSV",
        [_resource("b1", "Daten", "CSV", "/files/bild.csv")],
        license_id="dl-de-zero-2.0",
    ),
    "webseite": _package(
        "webseite",
        "Webseite statt CSV",
        [_resource("w1", "Daten", "CSV", "/files/seite.csv")],
        license_id="dl-de-zero-2.0",
    ),
    "langsam": _package(
        "langsam",
        "Langsamer Server",
        [_resource("l1", "Daten", "CSV", "/slow/radzaehlung.csv")],
        license_id="dl-de-zero-2.0",
    ),
    "ohne-laenge": _package(
        "ohne-laenge",
        "Große Datei ohne Längenangabe",
        [_resource("n1", "Daten", "CSV", "/nolength/radzaehlung.csv")],
        license_id="dl-de-zero-2.0",
    ),
    "fremde-lizenz": _package(
        "fremde-lizenz",
        "Fremde Lizenz",
        [_resource("x1", "Daten", "CSV", "/files/radzaehlung.csv")],
        license_id="other-at",
        license_title="Andere (Namensnennung)",
    ),
}

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


class _CkanHandler(BaseHTTPRequestHandler):
    """Answers package_show like CKAN and serves the fixture files."""

    def log_message(self, *args) -> None:  # keep the test output clean
        pass

    def _send(self, code: int, body: bytes, kind: str, length: bool = True) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/api/3/action/package_show":
            name = (query.get("id") or [""])[0]
            if name == "kaputt-json":
                return self._send(200, b'{"success": tr', "application/json")
            if name == "kein-ckan":
                return self._send(200, b'{"status": "ok"}', "application/json")
            if name not in PACKAGES:
                body = {
                    "help": "http://127.0.0.1/api/3/action/help_show?name=package_show",
                    "success": False,
                    "error": {"__type": "Not Found Error", "message": "Not found"},
                }
                return self._send(404, json.dumps(body).encode(), "application/json")
            body = {
                "help": "http://127.0.0.1/api/3/action/help_show?name=package_show",
                "success": True,
                "result": PACKAGES[name],
            }
            return self._send(200, json.dumps(body).encode(), "application/json;charset=utf-8")
        if path.startswith("/files/"):
            name = path.rsplit("/", 1)[1]
            if name == "bild.csv":
                return self._send(200, PNG, "text/csv")
            if name == "seite.csv":
                return self._send(200, b"<!doctype html><p>Anmelden</p>", "text/html")
            if name == "doku.pdf":
                return self._send(200, b"%PDF-1.4", "application/pdf")
            return self._send(200, (OWN / name).read_bytes(), "text/csv")
        if path.startswith("/error/"):
            code = int(path.rsplit("/", 1)[1].split(".")[0])
            return self._send(code, b"Fehler", "text/plain")
        if path.startswith("/slow/"):
            RELEASE.wait(30)  # longer than the client's timeout; released at teardown
            return self._send(200, b"Datum,Anzahl\n", "text/csv")
        if path.startswith("/nolength/"):
            body = (OWN / path.rsplit("/", 1)[1]).read_bytes()
            return self._send(200, body, "text/csv", length=False)
        return self._send(404, b"not found", "text/plain")


@pytest.fixture(scope="module")
def portal() -> Iterator[str]:
    """Base URL of a threaded CKAN-shaped server on 127.0.0.1 (stopped after the module)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CkanHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        RELEASE.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _no_proxy_for_the_local_server(monkeypatch):
    """A proxy set for the machine must not see requests to 127.0.0.1."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def _everything(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _holen(*args: str) -> list[str]:
    return ["daten", "holen", *args, "-q"]


# --- success --------------------------------------------------------------------------


def test_ckan_dataset_becomes_a_valid_package_with_licence_and_attribution(
    portal, tmp_path, capsys
):
    target = tmp_path / "radzaehlung"
    url = f"{portal}/api/3/action/package_show?id=radzaehlung"
    assert main(_holen(url, "--ziel", str(target))) == 0
    out = capsys.readouterr().out
    assert _everything(tmp_path) == ["radzaehlung"]  # no temporary folder left
    assert _everything(target) == ["datapackage.json", "radzaehlung.csv"]
    assert (target / "radzaehlung.csv").read_bytes() == (OWN / "radzaehlung.csv").read_bytes()
    desc = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["name"] == "radzaehlung" and desc["title"] == "Radzählung Musterstadt"
    assert desc["description"] == "Radzählung Musterstadt: erfundene Testdaten."
    assert desc["licenses"] == [
        {
            "name": "DL-DE-BY-2.0",
            "title": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
            "path": "https://www.govdata.de/dl-de/by-2-0",
        }
    ]
    assert desc["contributors"] == [
        {"title": "Stadt Musterstadt, Straßenverkehrsamt", "role": "publisher"}
    ]
    assert desc["attribution"].startswith("Stadt Musterstadt, Straßenverkehrsamt: Radzählung")
    assert "https://www.govdata.de/dl-de/by-2-0" in desc["attribution"]
    assert desc["sources"][0]["path"] == f"{portal}/dataset/radzaehlung"
    assert desc["keywords"] == ["Verkehr"]
    res = desc["resources"][0]
    assert res["path"] == "radzaehlung.csv" and res["title"] == "Tageswerte"
    assert res["sources"] == [
        {"title": "Heruntergeladen", "path": f"{portal}/files/radzaehlung.csv"}
    ]
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    assert fields["Datum"]["type"] == "date" and fields["Datum"]["format"] == "%d.%m.%Y"
    assert fields["Zaehlerstand"]["type"] == "integer"
    assert frictionless.Package(str(target / "datapackage.json")).validate().valid
    assert "Lizenz: Datenlizenz Deutschland – Namensnennung – Version 2.0" in out
    assert "Passende Labs (Spalten ohne Zuordnung gefunden): nachfrage-vorhersagen" in out
    assert f"datenlabor daten pruefen nachfrage-vorhersagen {target / 'radzaehlung.csv'}" in out


def test_german_statistics_file_is_typed_right(portal, tmp_path, capsys):
    """Windows-1252, `;`, decimal comma, thousands dot, `.` and `-`: typed as the German reader does."""
    target = tmp_path / "stadtteile"
    assert main(_holen(f"{portal}/dataset/stadtteile", "--ziel", str(target))) == 0
    data = target / "stadtteile-statistik.csv"
    assert data.read_bytes() == (OWN / "stadtteile-statistik.csv").read_bytes()
    desc = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["licenses"][0]["name"] == "DL-DE-ZERO-2.0"
    assert "attribution" not in desc  # dl-de/zero-2-0 asks for none
    res = desc["resources"][0]
    assert res["encoding"] == "cp1252" and res["dialect"] == {"delimiter": ";"}
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    assert fields["Einwohner insgesamt"] == {
        **fields["Einwohner insgesamt"],
        "type": "number",
        "groupChar": ".",
        "decimalChar": ",",
    }
    assert fields["Jahr"]["type"] == "integer"
    assert fields["Arbeitslose in %"]["decimalChar"] == ","
    assert (
        "„-“ bedeutet nichts vorhanden (genau null)" in fields["SGB-II-Quote in %"]["description"]
    )
    assert set(res["schema"]["missingValues"]) == {"", ".", "-"}
    report = frictionless.Package(str(target / "datapackage.json")).validate()
    assert report.valid
    rows = frictionless.Resource(res, basepath=str(target)).read_rows()
    assert rows[0]["Einwohner insgesamt"] == 21892 and float(rows[0]["Arbeitslose in %"]) == 11.3


def test_default_target_is_datasets_id_and_other_licences_map(
    portal, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("DATENLABOR_DATASETS", str(tmp_path))
    assert main(_holen(f"{portal}/dataset/gebaeude")) == 0
    desc = json.loads((tmp_path / "gebaeude" / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["licenses"][0]["name"] == "CC0-1.0"
    assert desc["resources"][0]["encoding"] == "utf-8-sig"
    assert frictionless.Package(str(tmp_path / "gebaeude" / "datapackage.json")).validate().valid
    # several CSV files: the person chooses; the portal's CC BY licence gives an attribution
    assert main(_holen(f"{portal}/dataset/meldungen", "--ressource", "2")) == 0
    desc = json.loads((tmp_path / "meldungen" / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["licenses"][0]["name"] == "CC-BY-4.0" and "Stadt Musterstadt" in desc["attribution"]
    assert desc["resources"][0]["title"] == "Export 2025 (Kopie)"
    assert _everything(tmp_path) == ["gebaeude", "meldungen"]


def test_direct_csv_link_with_licence(portal, tmp_path, capsys):
    target = tmp_path / "rad"
    url = f"{portal}/files/radzaehlung.csv"
    assert main(_holen(url, "--ziel", str(target), "--lizenz", "dl-de/zero-2-0")) == 0
    desc = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["licenses"][0]["path"] == "https://www.govdata.de/dl-de/zero-2-0"
    assert desc["sources"] == [{"title": "127.0.0.1:" + portal.rsplit(":", 1)[1], "path": url}]
    assert (target / "radzaehlung.csv").read_bytes() == (OWN / "radzaehlung.csv").read_bytes()


def test_unknown_licence_is_kept_with_a_note(portal, tmp_path, capsys):
    target = tmp_path / "fremd"
    assert main(_holen(f"{portal}/dataset/fremde-lizenz", "--ziel", str(target))) == 0
    out = capsys.readouterr().out
    desc = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["licenses"] == [{"title": "Andere (Namensnennung)", "name": "other-at"}]
    assert "Bitte die Bedingungen selbst prüfen" in out


def test_existing_dataset_is_replaced_only_when_asked(portal, tmp_path, capsys):
    target = tmp_path / "rad"
    url = f"{portal}/dataset/radzaehlung"
    assert main(_holen(url, "--ziel", str(target))) == 0
    (target / "notiz.txt").write_text("bleibt", encoding="utf-8")
    capsys.readouterr()
    assert main(_holen(url, "--ziel", str(target))) == 2
    err = capsys.readouterr().err
    assert "gibt es schon" in err and "--ersetzen" in err
    assert (target / "notiz.txt").is_file()
    assert main(_holen(url, "--ziel", str(target), "--ersetzen")) == 0
    assert _everything(target) == ["datapackage.json", "radzaehlung.csv"]
    assert _everything(tmp_path) == ["rad"]


@pytest.mark.parametrize(
    "licence, expected",
    [
        ("http://dcat-ap.de/def/licenses/dl-by-de/2.0", "DL-DE-BY-2.0"),
        ("https://www.govdata.de/dl-de/by-2-0", "DL-DE-BY-2.0"),
        ("dl-de/by-2-0", "DL-DE-BY-2.0"),
        ("dl-de-by-2.0", "DL-DE-BY-2.0"),
        ("http://dcat-ap.de/def/licenses/dl-zero-de/2.0", "DL-DE-ZERO-2.0"),
        ("dl-de/zero-2-0", "DL-DE-ZERO-2.0"),
        ("http://dcat-ap.de/def/licenses/cc-by/4.0", "CC-BY-4.0"),
        ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
        ("CC-BY-4.0", "CC-BY-4.0"),
        ("http://dcat-ap.de/def/licenses/cc-zero", "CC0-1.0"),
        ("cc-zero", "CC0-1.0"),
        ("CC0-1.0", "CC0-1.0"),
        ("http://dcat-ap.de/def/licenses/odbl", "ODbL-1.0"),
        ("other-at", None),
        ("", None),
    ],
)
def test_licence_identifiers_of_dcat_ap_de_and_ckan(licence, expected):
    found = find_licence(licence)
    assert (found.name if found else None) == expected


# --- failures: German message, exit 2, nothing left behind ------------------------------


def _fails(argv: list[str], folder: Path, capsys) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, captured
    assert captured.out == ""
    assert "Traceback" not in captured.err and captured.err.startswith("Fehler: ")
    assert _everything(folder) == [], "nothing may be left behind"
    return captured.err


@pytest.mark.parametrize(
    "path, extra, message",
    [
        ("/dataset/gibt-es-nicht", [], "gibt es dort nicht (HTTP 404)"),
        ("/api/3/action/package_show?id=kaputt-json", [], "kein gültiges JSON"),
        ("/api/3/action/package_show?id=kein-ckan", [], "antwortet nicht wie ein CKAN-Portal"),
        ("/dataset/ohne-lizenz", [], "Der Datensatz nennt keine Lizenz"),
        ("/dataset/nur-pdf", [], "enthält keine CSV-Datei (vorhanden: PDF)"),
        ("/dataset/meldungen", [], "enthält 2 CSV-Dateien: 1: Export 2025 (CSV); 2: Export"),
        ("/dataset/meldungen", ["--ressource", "9"], "keine CSV-Datei „9“"),
        ("/dataset/radzaehlung", ["--ressource", "r2"], "„r2“ ist keine CSV-Datei (Format: PDF)"),
        ("/dataset/kaputt-500", [], "Der Server meldet einen Fehler (HTTP 500)"),
        ("/dataset/fehlt-404", [], "/error/404.csv gibt es dort nicht (HTTP 404)"),
        ("/dataset/bild", [], "keine lesbare CSV-Tabelle"),
        ("/dataset/webseite", [], "liefert eine Webseite, keine CSV-Datei"),
        (
            "/dataset/radzaehlung",
            ["--hoechstgroesse", "0.005"],
            "ist 11,3 KB groß, erlaubt sind höchstens 5,1 KB",
        ),
        (
            "/dataset/ohne-laenge",
            ["--hoechstgroesse", "0.005"],
            "größer als 5,1 KB (Download abgebrochen)",
        ),
        ("/files/radzaehlung.csv", [], "Eine einzelne CSV-Adresse nennt keine Lizenz"),
        ("/dataset/radzaehlung", ["--lizenz", "frei"], "Die Lizenz „frei“ ist unbekannt"),
    ],
)
def test_failures_leave_nothing_behind(portal, tmp_path, capsys, path, extra, message):
    err = _fails(_holen(portal + path, "--ziel", str(tmp_path / "ziel"), *extra), tmp_path, capsys)
    assert message in err


def test_timeout_and_unreachable_host(portal, tmp_path, capsys):
    target = str(tmp_path / "ziel")
    err = _fails(
        _holen(f"{portal}/dataset/langsam", "--ziel", target, "--zeitlimit", "0.5"),
        tmp_path,
        capsys,
    )
    assert "antwortet nicht innerhalb von 0,5 Sekunden" in err
    closed = f"http://127.0.0.1:{free_port()}/dataset/radzaehlung"
    err = _fails(_holen(closed, "--ziel", target), tmp_path, capsys)
    assert "ist nicht erreichbar" in err
    err = _fails(_holen("ftp://example.org/daten.csv", "--ziel", target), tmp_path, capsys)
    assert "keine Internetadresse" in err


# --- the fetched package is usable by the labs -------------------------------------------


def test_fetched_file_is_checked_by_daten_pruefen(portal, tmp_path, capsys):
    target = tmp_path / "rad"
    assert main(_holen(f"{portal}/dataset/radzaehlung", "--ziel", str(target))) == 0
    capsys.readouterr()
    csv = str(target / "radzaehlung.csv")
    assert main(["daten", "pruefen", "nachfrage-vorhersagen", csv]) == 0
    out = capsys.readouterr().out
    assert "730 Zeilen" in out and f"datenlabor run nachfrage-vorhersagen -p daten {csv}" in out


@pytest.mark.slow
def test_fetched_statistics_run_in_a_lab(portal, tmp_path, capsys):
    """The district statistics fetched from the portal run `daten-erkunden` as the fixture does."""
    target = tmp_path / "stadtteile"
    assert main(_holen(f"{portal}/dataset/stadtteile", "--ziel", str(target))) == 0
    csv = str(target / "stadtteile-statistik.csv")
    runs = tmp_path / "runs"
    assert main(["run", "daten-erkunden", "--ci", "-o", str(runs), "-p", "daten", csv, "-q"]) == 0
    values = json.loads(next(runs.rglob("kennzahlen.json")).read_text(encoding="utf-8"))
    assert values["anzahl_stadtteile"] == 8 and values["einwohner_gesamt"] == 125032


# --- daten beschreiben --------------------------------------------------------------------


def test_describe_writes_datapackage_next_to_the_file(tmp_path, capsys):
    data = tmp_path / "energie.csv"
    data.write_bytes((OWN / "gebaeude-energie.csv").read_bytes())
    argv = ["daten", "beschreiben", str(data), "--lizenz", "dl-de/by-2-0"]
    assert main([*argv, "--herausgeber", "Stadt Musterstadt", "--titel", "Energie 2024"]) == 0
    out = capsys.readouterr().out
    assert _everything(tmp_path) == ["datapackage.json", "energie.csv"]
    assert data.read_bytes() == (OWN / "gebaeude-energie.csv").read_bytes()
    desc = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["title"] == "Energie 2024" and desc["description"].startswith("Bitte ergänzen")
    assert desc["licenses"][0]["name"] == "DL-DE-BY-2.0"
    assert desc["attribution"].startswith("Stadt Musterstadt: Energie 2024")
    fields = {f["name"]: f for f in desc["resources"][0]["schema"]["fields"]}
    assert fields["Wärmeverbrauch"]["groupChar"] == "."
    assert all("Bitte ergänzen" in f["description"] for f in fields.values())
    assert frictionless.Package(str(tmp_path / "datapackage.json")).validate().valid
    assert "Noch zu ergänzen in datapackage.json" in out
    assert "kein Lab passt ohne Spaltenzuordnung" in out
    # before anything is published: the address column is named with the DSGVO note
    assert "Möglicher Personenbezug: Wirtschaftseinheit (Anschrift" in out and "DSGVO" in out
    # a second description is refused unless asked
    assert main(argv) == 2
    assert "gibt es schon" in capsys.readouterr().err
    assert main([*argv, "--ersetzen"]) == 0


def test_describe_into_a_new_package_folder(tmp_path, capsys):
    target = tmp_path / "pakete" / "meldungen"
    target.parent.mkdir()
    src = OWN / "maengelmelder-export.csv"
    assert main(["daten", "beschreiben", str(src), "--ziel", str(target)]) == 0
    assert _everything(target) == ["datapackage.json", "maengelmelder-export.csv"]
    assert (target / "maengelmelder-export.csv").read_bytes() == src.read_bytes()
    desc = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    assert "licenses" not in desc  # none given: named as still to do
    out = capsys.readouterr().out
    assert "Lizenz" in out
    assert "responsible (Name" in out and "address_input (Anschrift" in out
    # the tabs the reader drops are still in the file for every other program
    assert "Teil der letzten Spalte „detail_url“" in out
    assert frictionless.Package(str(target / "datapackage.json")).validate().valid


def test_describe_failures(tmp_path, capsys):
    (tmp_path / "bild.csv").write_bytes(PNG)
    err = _fails_describe(["daten", "beschreiben", str(tmp_path / "fehlt.csv")], capsys)
    assert "gibt es nicht" in err
    err = _fails_describe(["daten", "beschreiben", str(tmp_path / "bild.csv")], capsys)
    assert "PNG" in err
    assert _everything(tmp_path) == ["bild.csv"]
    err = _fails_describe(
        ["daten", "beschreiben", str(OWN / "radzaehlung.csv"), "--ziel", str(tmp_path / "a" / "b")],
        capsys,
    )
    assert "Den Ordner" in err and "gibt es nicht" in err


def _fails_describe(argv: list[str], capsys) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.err.startswith("Fehler: ")
    return captured.err


@pytest.mark.parametrize(
    "url, api, resource",
    [
        (
            "https://opendata.musterstadt.de/dataset/radzaehlung",
            "https://opendata.musterstadt.de/api/3/action/package_show?id=radzaehlung",
            None,
        ),
        (
            "https://daten.example/ckan/dataset/rad/resource/abc-1",
            "https://daten.example/ckan/api/3/action/package_show?id=rad",
            "abc-1",
        ),
        (
            "https://www.govdata.de/suche/daten/radzaehlung-musterstadt",
            "https://ckan.govdata.de/api/3/action/package_show?id=radzaehlung-musterstadt",
            None,
        ),
        (
            "https://portal.example/api/action/package_show?id=x",
            "https://portal.example/api/action/package_show?id=x",
            None,
        ),
        ("https://portal.example/files/daten.csv", None, None),
    ],
)
def test_addresses_that_lead_to_the_ckan_api(url, api, resource):
    from datenlabor.portal import _api_call

    assert _api_call(url) == ((api, resource) if api else None)


def test_failed_replacement_keeps_the_old_package(portal, tmp_path, capsys):
    target = tmp_path / "rad"
    assert main(_holen(f"{portal}/dataset/radzaehlung", "--ziel", str(target))) == 0
    before = (target / "datapackage.json").read_bytes()
    capsys.readouterr()
    assert main(_holen(f"{portal}/dataset/bild", "--ziel", str(target), "--ersetzen")) == 2
    assert "keine lesbare CSV-Tabelle" in capsys.readouterr().err
    assert (target / "datapackage.json").read_bytes() == before
    assert _everything(tmp_path) == ["rad"]


def test_interrupted_fetch_leaves_nothing(portal, tmp_path, capsys, monkeypatch):
    import datenlabor.portal

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(datenlabor.portal, "infer_resource", interrupted)
    assert main(_holen(f"{portal}/dataset/radzaehlung", "--ziel", str(tmp_path / "rad"))) == 130
    assert "Abgebrochen" in capsys.readouterr().err
    assert _everything(tmp_path) == []


@pytest.mark.parametrize("command", ["holen", "beschreiben"])
def test_readme_names_every_option(command):
    """The README's „Eigene Daten“ part stays true to `datenlabor daten COMMAND --help`."""
    import argparse

    from datenlabor.cli import build_parser
    from tests.helpers import ROOT

    parser = build_parser()
    for name in ("daten", command):
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    options = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme[readme.index("### Eigene Daten") : readme.index("## Lernen und Nachweis")]
    assert f"datenlabor daten {command}" in part
    missing = [o for o in options if o != "--help" and not re.search(rf"{o}(?![\w-])", part)]
    assert not missing, f"README „Eigene Daten“ does not mention {missing}"


def test_describe_file_with_title_lines_and_footnotes(tmp_path, capsys):
    """Title lines become headerRows; footnotes frictionless cannot skip are named, not hidden."""
    data = tmp_path / "tabelle.csv"
    text = "Einwohner nach Stadtteil\nStand: 31.12.2024\n\nStadtteil;Einwohner;Anteil\n"
    text += "Altstadt;12.345;1,5\nHafen;2.001;0,25\n\nQuelle: Statistikstelle\n"
    data.write_bytes(text.encode("cp1252"))
    assert main(["daten", "beschreiben", str(data)]) == 0
    out = capsys.readouterr().out
    desc = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    res = desc["resources"][0]
    assert res["dialect"] == {"delimiter": ";", "headerRows": [4]}
    types = {f["name"]: f["type"] for f in res["schema"]["fields"]}
    assert types == {"Stadtteil": "string", "Einwohner": "number", "Anteil": "number"}
    assert "Zeilen 1–3 (Titel und Stand)" in out
    assert "Hinweis: Frictionless meldet" in out


def test_described_package_loads_with_german_numbers(tmp_path, monkeypatch, capsys):
    """`datenlabor.load(ID)` on a written package keeps 658.830 as 658830 and `-` as 0."""
    import datenlabor
    from datenlabor import datasets

    monkeypatch.setenv("DATENLABOR_DATASETS", str(tmp_path))
    datasets._descriptor.cache_clear()
    for name in ("gebaeude-energie", "stadtteile-statistik"):
        target = str(tmp_path / name)
        assert main(["daten", "beschreiben", str(OWN / f"{name}.csv"), "--ziel", target]) == 0
    try:
        energy = datenlabor.load("gebaeude-energie")
        assert energy["Wärmeverbrauch"].iloc[0] == 658830
        districts = datenlabor.load("stadtteile-statistik")
        assert districts["Einwohner insgesamt"].iloc[0] == 21892
        assert (districts["SGB-II-Quote in %"] == 0).sum() == 3  # „-“: exactly zero
        assert districts["Arbeitslose in %"].isna().sum() == 1  # „.“: unknown
    finally:
        datasets._descriptor.cache_clear()
