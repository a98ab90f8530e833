"""Tenant file and workspace of the hub platform, without a running hub (fast)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from datenlabor.errors import TenantFileError
from datenlabor.hub.config import culler_command
from datenlabor.hub.tenants import load_tenants
from datenlabor.hub.workspace import UPDATES, init_workspace, welcome_text
from tests.helpers import ROOT, fixture_path

EXAMPLE = ROOT / "deploy" / "jupyterhub" / "mandanten.yaml"
BRANDING = ROOT / "deploy" / "jupyterhub" / "branding" / "musterstadt.yaml"


def test_shipped_example_has_two_municipalities():
    platform = load_tenants(EXAMPLE)
    assert [t.name for t in platform.tenants.values()] == [
        "Stadt Musterstadt",
        "Gemeinde Beispielhausen",
    ]
    musterstadt = platform.tenants["musterstadt"]
    assert musterstadt.group == "mandant-musterstadt"
    assert platform.tenants["beispielhausen"].group == "mandant-beispielhausen"
    assert platform.tenant_for_groups({"mandant-beispielhausen", "x"}).key == "beispielhausen"
    assert platform.system_user("anna") == "dl-anna"
    assert platform.resources.memory == 2 * 1024**3
    assert "--timeout=5400" in culler_command(platform)
    assert "--max-age=36000" in culler_command(platform)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mandanten.yaml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD = f"""\
version: 1
mandanten:
  musterstadt:
    name: Stadt Musterstadt
    branding: {BRANDING}
    labs: [daten-erkunden]
    benutzer: [anna]
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("version: 1", "version: 2"), "version: erwartet wird „version: 1“"),
        (
            ("    labs: [daten-erkunden]", "    labs: [gibt-es-nicht]"),
            "Lab „gibt-es-nicht“ gibt es nicht",
        ),
        (("    name: Stadt Musterstadt\n", "    nam: Stadt\n"), "unbekannter Schlüssel „nam“"),
        (("benutzer: [anna]", "benutzer: [Anna Müller]"), "„Anna Müller“ ist nicht erlaubt"),
        (("musterstadt:\n", "Muster Stadt:\n"), "mandanten → Muster Stadt"),
        ((str(BRANDING), "fehlt.yaml"), "die Datei"),
        (
            ("    benutzer: [anna]", "    eigene_labs:\n      - ordner: /gibt/es/nicht"),
            "den Ordner",
        ),
        (
            ("    benutzer: [anna]", "    eigene_labs:\n      - {ordner: /tmp, git: x}"),
            "genau einen der Schlüssel",
        ),
        (
            ("version: 1", "version: 1\nplattform:\n  leerlauf_minuten: ja"),
            "erwartet wird eine Zahl",
        ),
        (
            ("version: 1", "version: 1\nplattform:\n  ressourcen: {speicher: viel}"),
            "keine Speichergröße",
        ),
        (("mandanten:", "mandanten: [\n"), "kein gültiges YAML in Zeile"),
    ],
)
def test_invalid_tenant_file_is_explained_in_german(tmp_path, change, message):
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(TenantFileError) as info:
        load_tenants(path)
    assert message in str(info.value)
    assert str(info.value).startswith(("Mandanten-Datei", "Die Mandanten-Datei"))


def test_person_in_two_tenants_and_shared_group_are_refused(tmp_path):
    second = "  zwei:\n    name: Zweistadt\n    benutzer: [anna]\n"
    with pytest.raises(TenantFileError, match="gehört schon zu Mandant „musterstadt“"):
        load_tenants(_write(tmp_path, GOOD + second))
    second = "  zwei:\n    name: Zweistadt\n    gruppe: mandant-musterstadt\n"
    with pytest.raises(TenantFileError, match="schon bei mandanten → musterstadt vergeben"):
        load_tenants(_write(tmp_path, GOOD + second))


def test_cli_reports_bad_tenant_file_without_traceback(tmp_path):
    path = _write(tmp_path, GOOD.replace("version: 1", "version: 3"))
    r = subprocess.run(
        [sys.executable, "-m", "datenlabor.cli", "hub", "--mandanten", str(path)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert "version" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "datenlabor.cli", "hub-entfernen", "anna", "--mandanten", str(path)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "--export" in r.stderr


def test_workspace_copies_once_keeps_edits_and_offers_updates(tmp_path):
    originals = tmp_path / "original"
    shutil.copytree(fixture_path("labs", "mini"), originals / "mini")
    home = tmp_path / "home"
    home.mkdir()
    assert init_workspace(home, originals) == {"kopiert": ["mini"], "angeboten": []}
    own = home / "labs" / "mini" / "mini.ipynb"
    own.write_text(own.read_text().replace("Mini-Lab", "Mein Lab"))
    assert init_workspace(home, originals) == {"kopiert": [], "angeboten": []}
    # a new version of the original is offered beside the own copy, never forced
    nb = json.loads((originals / "mini" / "mini.ipynb").read_text())
    nb["cells"][0]["source"] = "# Mini-Lab, neue Fassung"
    (originals / "mini" / "mini.ipynb").write_text(json.dumps(nb))
    assert init_workspace(home, originals) == {"kopiert": [], "angeboten": ["mini"]}
    assert "Mein Lab" in own.read_text()
    assert "neue Fassung" in (home / UPDATES / "mini" / "mini.ipynb").read_text()
    assert "Neue Fassungen" in welcome_text(home, "Stadt Musterstadt", "Datenlabor", "/user/a/")
    # a lab the person deleted stays deleted
    shutil.rmtree(home / "labs" / "mini")
    init_workspace(home, originals)
    assert not (home / "labs" / "mini").exists()
    assert (own.parent.parent.stat().st_mode & 0o077) == 0


def test_tenant_labs_from_selection_folder_and_git(tmp_path):
    """Own labs of a tenant from a git repository replace/add to the selection (public copy)."""
    from datenlabor.hub.system import assemble_tenant_labs
    from datenlabor.hub.tenants import LabSource, Platform, Tenant

    repo = tmp_path / "repo"
    shutil.copytree(fixture_path("labs", "mini"), repo / "labs" / "mini")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "labs"], check=True)
    tenant = Tenant(
        key="t",
        name="T",
        group="g",
        branding=None,
        labs=["daten-erkunden"],
        own_labs=[LabSource(git=str(repo))],
    )
    platform = Platform(path=tmp_path / "m.yaml")
    labs = assemble_tenant_labs(platform, tenant, tmp_path, ROOT / "labs", public=True)
    assert sorted(p.name for p in labs.iterdir()) == ["daten-erkunden", "mini"]
    assert (labs / "mini" / "lab.yaml").stat().st_mode & 0o777 == 0o644
    bad = Tenant(key="t", name="T", group="g", branding=None, labs=None)
    bad.own_labs = [LabSource(git=str(tmp_path / "fehlt"))]
    with pytest.raises(Exception, match="ließen sich nicht holen"):
        assemble_tenant_labs(platform, bad, tmp_path, ROOT / "labs", public=True)
    assert (labs / "mini").is_dir()  # the previous set stays when fetching fails


def test_hub_home_writes_times_in_german_and_stacks_the_server_table():
    """JupyterHub's script turns „time-col“ cells into „a few seconds ago“; ours are German.

    Renders the template with Jinja only (no hub); the look at 320 px was checked in a browser.
    """
    import datetime
    from types import SimpleNamespace

    import jinja2
    from jupyterhub._data import DATA_FILES_PATH

    stock = str(Path(DATA_FILES_PATH) / "templates")
    ours = str(Path(__file__).parents[1] / "src" / "datenlabor" / "hub" / "templates")
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(ours),
                jinja2.PrefixLoader({"templates": jinja2.FileSystemLoader(stock)}),
            ]
        ),
        undefined=jinja2.ChainableUndefined,
    )
    spawner = SimpleNamespace(
        name="app-daten-erkunden",
        active=True,
        ready=True,
        last_activity=datetime.datetime(2026, 11, 29, 15, 58),
    )
    user = SimpleNamespace(
        name="anna",
        all_spawners=lambda include_default=False: [spawner],
        server_url=lambda n: f"/user/anna/{n}/",
    )
    html = env.get_template("home.html").render(
        static_url=lambda p, **_: "/static/" + p,
        user=user,
        allow_named_servers=True,
        default_server=SimpleNamespace(active=True),
        dl_labs=[],
    )
    assert "time-col" not in html
    assert '<time class="dl-zeit" datetime="2026-11-29T15:58:00Z">29.11.2026, 15:58 Uhr' in html
    assert 'RelativeTimeFormat("de"' in html
    assert 'data-label="Zuletzt aktiv"' in html and "@media (max-width: 40rem)" in html
