"""The JupyterHub platform, for real: `datenlabor hub` with proxy on 127.0.0.1, two tenants.

ONE hub serves every test of this module (module fixture ``hub``); tests share its user
servers. Tenant "musterstadt" (anna, bernd) has the real lab daten-erkunden and, as its
own lab from a folder, the tiny fixture lab "mini"; tenant "beispielhausen" (carla) has
offene-daten-nutzen. System accounts get a random test prefix and are removed afterwards.
Needs root (one system user per person), useradd and configurable-http-proxy
(`python3 scripts/bootstrap.py install --test` installs it).
"""

from __future__ import annotations

import json
import os
import pwd
import random
import re
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.helpers import ROOT, fixture_path, free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]

PASSWORD = "pilot-" + uuid.uuid4().hex[:8]
TIMEOUT = 180  # generous: 2 cores shared by many processes


def _missing() -> str:
    from datenlabor.hub.config import proxy_command

    if os.geteuid() != 0:
        return "needs root (one system user per hub user)"
    if not shutil.which("useradd"):
        return "needs useradd"
    if not Path(proxy_command()).exists():
        return "configurable-http-proxy missing (scripts/bootstrap.py install --test)"
    return ""


@dataclass
class Hub:
    url: str
    root: Path
    state: Path
    prefix: str
    proc: subprocess.Popen
    out: Path
    start_seconds: float
    sessions: dict[str, requests.Session] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def login(self, name: str) -> requests.Session:
        if name not in self.sessions:
            s = requests.Session()
            s.get(self.url + "hub/login", timeout=60)
            r = s.post(
                self.url + "hub/login",
                data={"username": name, "password": PASSWORD, "_xsrf": s.cookies.get("_xsrf")},
                allow_redirects=False,
                timeout=60,
            )
            assert r.status_code == 302, r.text[:300]
            self.sessions[name] = s
        return self.sessions[name]

    def api(self, name: str, method: str, path: str, **kw) -> requests.Response:
        s = self.login(name)
        headers = {"X-XSRFToken": s.cookies.get("_xsrf", path="/hub/") or ""}
        return s.request(method, self.url + "hub/api" + path, headers=headers, timeout=60, **kw)

    def token(self, name: str) -> str:
        if name not in self.tokens:
            r = self.api(name, "POST", f"/users/{name}/tokens", json={"note": "test"})
            assert r.status_code == 201, r.text
            self.tokens[name] = r.json()["token"]
        return self.tokens[name]

    def server(self, name: str, server: str = "") -> str:
        """Start (if needed) and wait for ``name``'s server; returns its URL."""
        path = f"/users/{name}/servers/{server}" if server else f"/users/{name}/server"
        model = self.api(name, "GET", f"/users/{name}").json()
        if not (model["servers"].get(server) or {}).get("ready"):
            if server not in model["servers"]:
                r = self.api(name, "POST", path)
                assert r.status_code in (201, 202, 400), r.text  # 400: already starting
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                model = self.api(name, "GET", f"/users/{name}").json()
                if (model["servers"].get(server) or {}).get("ready"):
                    break
                time.sleep(0.5)
            else:
                pytest.fail(f"server {name}/{server} not ready: {self.log_tail()}")
        return f"{self.url}user/{name}/{server + '/' if server else ''}"

    def get(self, name: str, url: str, **kw) -> requests.Response:
        headers = {"Authorization": f"token {self.token(name)}"}
        return requests.get(url, headers=headers, timeout=120, **kw)

    def system_user(self, name: str) -> pwd.struct_passwd:
        return pwd.getpwnam(self.prefix + name)

    def log_tail(self) -> str:
        return (self.state / "hub.log").read_text(errors="replace")[-3000:]


def _tenant_file(root: Path, prefix: str) -> Path:
    branding = ROOT / "deploy" / "jupyterhub" / "branding"
    text = f"""\
version: 1
plattform:
  titel: Datenlabor-Testplattform
  admin_gruppe: {prefix}admins
  arbeitsbereiche: {root / "home"}
  systembenutzer_praefix: "{prefix}"
  leerlauf_minuten: 60
mandanten:
  musterstadt:
    name: Stadt Musterstadt
    gruppe: {prefix}musterstadt
    branding: {branding / "musterstadt.yaml"}
    labs: [daten-erkunden]
    eigene_labs:
      - ordner: {fixture_path("labs")}
    benutzer: [anna, bernd]
  beispielhausen:
    name: Gemeinde Beispielhausen
    gruppe: {prefix}beispielhausen
    branding: {branding / "beispielhausen.yaml"}
    labs: [offene-daten-nutzen]
    benutzer: [carla]
"""
    path = root / "mandanten.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _culler_config(root: Path, prefix: str) -> Path:
    """Test-only: culler every 2 s with a 4 s timeout, allowed to touch only carla/kurz."""
    path = root / "zusatz.py"
    who = "carla"
    path.write_text(
        f"""\
import sys
c = get_config()  # noqa
c.JupyterHub.services = [{{"name": "leerlauf", "command": [sys.executable, "-m",
    "jupyterhub_idle_culler", "--timeout=4", "--cull-every=2"]}}]
c.JupyterHub.load_roles = [
    {{"name": "admin", "groups": ["{prefix}admins"]}},
    {{"name": "user", "scopes": ["self"]}},
    {{"name": "leerlauf-dienst", "services": ["leerlauf"], "scopes": [
        "list:users!user={who}", "read:users:activity!user={who}",
        "read:servers!server={who}/kurz", "delete:servers!server={who}/kurz"]}},
]
""",
        encoding="utf-8",
    )
    return path


def _datasets(root: Path) -> Path:
    """Real datasets plus the fixture dataset of the mini lab, readable for every account."""
    folder = root / "datasets"
    folder.mkdir()
    for item in (ROOT / "datasets").iterdir():
        (folder / item.name).symlink_to(item)
    (folder / "mini-daten").symlink_to(fixture_path("datasets", "mini-daten"))
    return folder


def _remove_accounts(prefix: str) -> None:
    for entry in pwd.getpwall():
        if entry.pw_name.startswith(prefix):
            subprocess.run(["pkill", "-KILL", "-u", entry.pw_name], check=False)
            subprocess.run(["userdel", "--remove", entry.pw_name], capture_output=True)
    import grp

    for group in grp.getgrall():
        if group.gr_name.startswith(prefix):
            subprocess.run(["groupdel", group.gr_name], capture_output=True)


def _fingerprints(*folders: Path) -> dict[str, str]:
    from datenlabor.hub.workspace import fingerprint

    return {str(f): fingerprint(f) for f in folders}


@pytest.fixture(scope="module")
def hub():
    reason = _missing()
    if reason:
        pytest.skip(reason)
    prefix = "dlt" + "".join(random.choices(string.ascii_lowercase, k=3)) + "-"
    root = Path(tempfile.mkdtemp(prefix="datenlabor-hubtest-"))
    os.chmod(root, 0o755)  # the test accounts must reach their homes and the datasets
    port = free_port()
    out = root / "ausgabe.txt"
    env = {
        **os.environ,
        "DATENLABOR_HUB_PASSWORT": PASSWORD,
        "DATENLABOR_DATASETS": str(_datasets(root)),
    }
    originals = [ROOT / "labs" / "daten-erkunden", fixture_path("labs", "mini")]
    before = _fingerprints(*originals)
    cmd = [
        *[sys.executable, "-m", "datenlabor.cli", "hub"],
        *["--port", str(port), "--mandanten", str(_tenant_file(root, prefix))],
        *["--zustand", str(root / "zustand"), "--zusatz", str(_culler_config(root, prefix))],
    ]
    started = time.monotonic()
    with out.open("wb") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + TIMEOUT
        while "läuft" not in out.read_text(encoding="utf-8", errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("hub did not start: " + out.read_text(errors="replace"))
            time.sleep(0.2)
        hub = Hub(
            url=f"http://127.0.0.1:{port}/",
            root=root,
            state=root / "zustand",
            prefix=prefix,
            proc=proc,
            out=out,
            start_seconds=time.monotonic() - started,
        )
        hub.originals = originals
        hub.before = before
        for name in ("anna", "carla"):  # both start now, in parallel; tests wait for them
            hub.api(name, "POST", f"/users/{name}/server")
        yield hub
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(90)
            except subprocess.TimeoutExpired:
                proc.kill()
        _remove_accounts(prefix)
        shutil.rmtree(root, ignore_errors=True)


def _execute(hub: Hub, name: str, code: str, kernel: str = "datenlabor") -> str:
    """Run ``code`` in a new kernel of ``name``'s server over the websocket; returns stdout."""
    import websocket

    base = hub.server(name)
    headers = {"Authorization": f"token {hub.token(name)}"}
    r = requests.post(base + "api/kernels", json={"name": kernel}, headers=headers, timeout=120)
    assert r.status_code == 201, r.text
    kernel_id = r.json()["id"]
    ws = websocket.create_connection(
        base.replace("http", "ws") + f"api/kernels/{kernel_id}/channels",
        header=[f"Authorization: token {hub.token(name)}"],
        timeout=TIMEOUT,
    )
    session = uuid.uuid4().hex
    deadline = time.monotonic() + TIMEOUT

    def send(msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": msg_type, "session": session}
        header |= {"username": name, "version": "5.3", "date": ""}
        ws.send(
            json.dumps(
                {"header": header, "parent_header": {}, "metadata": {}, "content": content}
                | {"channel": "shell"}
            )
        )
        return msg_id

    def receive() -> dict:
        # a stream of other messages (the server's own kernel_info nudges) must not keep the
        # test waiting for ever: one deadline for the whole exchange
        assert time.monotonic() < deadline, "kernel did not answer in time"
        return json.loads(ws.recv())

    try:
        # like nbclient: the kernel is ready once it answers a kernel_info_request; a request
        # sent before its channels were connected is lost, so ask again every few seconds
        ready, asked = None, 0.0
        while ready is None:
            if time.monotonic() - asked > 5:
                info_id, asked = send("kernel_info_request", {}), time.monotonic()
            ws.settimeout(5)
            try:
                msg = receive()
            except websocket.WebSocketTimeoutException:
                continue
            if msg["msg_type"] == "kernel_info_reply":
                ready = msg["parent_header"].get("msg_id") == info_id or None
        ws.settimeout(TIMEOUT)
        content = {"code": code, "silent": False, "store_history": False}
        content |= {"user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
        msg_id = send("execute_request", content)
        out = []
        while True:
            msg = receive()
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("FEHLER " + msg["content"]["ename"] + ": " + msg["content"]["evalue"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)
    finally:
        ws.close()
        requests.delete(base + f"api/kernels/{kernel_id}", headers=headers, timeout=60)


def test_start_prints_url_in_german(hub):
    text = hub.out.read_text(encoding="utf-8")
    assert f"Adresse: {hub.url}" in text
    assert "Stadt Musterstadt, Gemeinde Beispielhausen" in text
    assert "Traceback" not in text


def test_anonymous_is_sent_to_login_and_wrong_password_refused(hub):
    r = requests.get(hub.url + "user/anna/lab", timeout=60)
    assert r.url.startswith(hub.url + "hub/login")
    assert "Anmelden" in r.text and "Benutzername" in r.text
    s = requests.Session()
    s.get(hub.url + "hub/login", timeout=60)
    r = s.post(
        hub.url + "hub/login",
        data={"username": "anna", "password": "falsch", "_xsrf": s.cookies.get("_xsrf")},
        allow_redirects=False,
        timeout=60,
    )
    assert r.status_code == 403
    assert "Anmeldung fehlgeschlagen" in r.text
    assert "jupyterhub-session-id" not in s.cookies or "jupyterhub-hub-login" not in s.cookies


def test_user_server_german_lab_kernel_and_preview(hub):
    base = hub.server("anna")
    # JupyterLab opens the tenant's gallery, in German
    r = hub.get("anna", base + "lab/tree/Willkommen.md")
    assert r.status_code == 200
    r = hub.get("anna", base + "lab/api/settings/@jupyterlab/translation-extension:plugin")
    assert r.json()["schema"]["properties"]["locale"]["default"] == "de_DE"
    r = hub.get("anna", base + "lab/api/translations/de_DE")
    assert r.status_code == 200 and r.json()["data"], "language pack de_DE missing"
    welcome = hub.get("anna", base + "api/contents/Willkommen.md").json()["content"]
    assert "Stadt Musterstadt" in welcome and "Mini-Lab" in welcome
    labs = {i["name"] for i in hub.get("anna", base + "api/contents/labs").json()["content"]}
    assert labs == {"daten-erkunden", "mini"}
    assert "datenlabor" in hub.get("anna", base + "api/kernelspecs").json()["kernelspecs"]
    # the lab, executed in the datenlabor kernel as anna's own system user
    nb = hub.get("anna", base + "api/contents/labs/mini/mini.ipynb").json()["content"]
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    code = code.replace("app.interact(zeige", "zeige(anzahl, modus)  # app.interact(zeige")
    out = _execute(hub, "anna", code + "\nimport getpass\nprint('KONTO', getpass.getuser())")
    assert "summe: " in out, out
    assert f"KONTO {hub.prefix}anna" in out
    # Voilà preview through her own server
    r = hub.get("anna", base + "voila/render/labs/mini/mini.ipynb")
    assert r.status_code == 200 and "Mini-Lab" in r.text


def test_user_cannot_reach_other_servers_or_files(hub):
    carla = hub.server("carla")
    hub.server("anna")
    for path in ("api/contents", "lab", "api/contents/Willkommen.md", "api/terminals"):
        assert hub.get("anna", carla + path, allow_redirects=False).status_code == 403
    # in the browser: the hub refuses the login into carla's server
    r = hub.login("anna").get(carla + "lab", timeout=60)
    assert r.status_code == 403
    # and the operating system refuses anna's kernel carla's files and tenant B's labs
    home = hub.system_user("carla").pw_dir
    other_labs = hub.state / "mandanten" / "beispielhausen" / "labs"
    out = _execute(
        hub,
        "anna",
        f"""
for path in [{home + "/Willkommen.md"!r}, {str(other_labs)!r}]:
    try:
        open(path).read() if path.endswith(".md") else __import__("os").listdir(path)
        print("GELESEN", path)
    except PermissionError:
        print("VERWEIGERT", path)
""",
    )
    assert out.count("VERWEIGERT") == 2, out


def test_tenants_see_only_their_labs_and_branding(hub):
    carla = hub.server("carla")
    labs = {i["name"] for i in hub.get("carla", carla + "api/contents/labs").json()["content"]}
    assert labs == {"offene-daten-nutzen"}
    welcome = hub.get("carla", carla + "api/contents/Willkommen.md").json()["content"]
    assert "Gemeinde Beispielhausen" in welcome and "Musterstadt" not in welcome
    home_b = hub.login("carla").get(hub.url + "hub/home", timeout=60).text
    home_a = hub.login("anna").get(hub.url + "hub/home", timeout=60).text
    assert 'data-mandant="beispielhausen"' in home_b and "#1d6b2f" in home_b
    assert "Musterstadt" not in home_b and "#00557f" not in home_b
    assert 'data-mandant="musterstadt"' in home_a and "Beispielhausen" not in home_a


def test_shared_app_reaches_colleagues_only(hub):
    hub.server("anna")  # her workspace (with her copy of the lab) exists from the first start
    app = hub.server("anna", "app-mini")
    # colleague bernd (same tenant): the hub asks once to confirm, then the app opens
    bernd = hub.login("bernd")
    r = bernd.get(app, timeout=120)
    if "/hub/api/oauth2/authorize" in r.url and "<form" in r.text:
        page = r.content.decode("utf-8")
        assert "Zugriff bestätigen" in page
        fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
        r = bernd.post(r.url, data=fields, timeout=120)
    assert r.status_code == 200 and r.url.startswith(app), (r.status_code, r.url)
    assert "Mini-Lab" in r.text
    r = bernd.get(app + "voila/render/mini/mini.ipynb", timeout=TIMEOUT)
    assert r.status_code == 200 and "Mini-Lab" in r.text
    for path in ("lab", "terminals/1", "api/contents", "api/contents/mini", "tree", "files/x"):
        assert bernd.get(app + path, timeout=60, allow_redirects=False).status_code == 403, path
    # the other tenant and anonymous visitors do not get in
    assert hub.login("carla").get(app, timeout=60).status_code == 403
    assert hub.get("carla", app + "voila/render/mini/mini.ipynb").status_code == 403
    r = requests.get(app, timeout=60)
    assert r.url.startswith(hub.url + "hub/login")


def test_edited_and_run_copy_leaves_originals_unchanged(hub):
    base = hub.server("anna")
    path = base + "api/contents/labs/mini/mini.ipynb"
    model = hub.get("anna", path).json()
    model["content"]["cells"][0]["source"] = "# Mein Mini-Lab\n\nMeine Änderung."
    headers = {"Authorization": f"token {hub.token('anna')}"}
    r = requests.put(
        path,
        json={"type": "notebook", "format": "json", "content": model["content"]},
        headers=headers,
        timeout=60,
    )
    assert r.status_code == 200, r.text
    out = _execute(
        hub,
        "anna",
        "import subprocess\n"
        "r = subprocess.run(['datenlabor', 'run', 'mini', '-p', 'anzahl', '2'],"
        " capture_output=True, text=True)\n"
        "print('RC', r.returncode, r.stderr[-500:])\n"
        "print(subprocess.run(['datenlabor', 'runs'], capture_output=True, text=True).stdout)",
    )
    assert "RC 0" in out, out
    assert "mini" in out
    home = Path(hub.system_user("anna").pw_dir)
    assert (home / "runs" / "historie.sqlite").is_file()
    assert "Meine Änderung" in (home / "labs" / "mini" / "mini.ipynb").read_text(encoding="utf-8")
    assert _fingerprints(*hub.originals) == hub.before
    tenant_copy = hub.state / "mandanten" / "musterstadt" / "labs" / "mini"
    assert "Meine Änderung" not in (tenant_copy / "mini.ipynb").read_text(encoding="utf-8")
    assert not (ROOT / "labs" / "mini").exists() and not list((ROOT / "labs").glob("*/runs"))


def test_idle_server_is_culled(hub):
    hub.server("carla", "kurz")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        servers = hub.api("carla", "GET", "/users/carla").json()["servers"]
        if "kurz" not in servers or not servers["kurz"].get("ready"):
            break
        time.sleep(1)
    else:
        pytest.fail("idle server was not culled: " + hub.log_tail())
    assert "" in hub.api("carla", "GET", "/users/carla").json()["servers"]  # others untouched


def test_admin_removes_departing_users_workspace_after_export(hub):
    cli = [sys.executable, "-m", "datenlabor.cli", "hub-entfernen", "bernd"]
    tenants = ["--mandanten", str(hub.root / "mandanten.yaml")]
    r = subprocess.run([*cli, *tenants], capture_output=True, text=True)
    assert r.returncode == 2 and "--export" in r.stderr
    home = Path(hub.system_user("bernd").pw_dir)
    (home / "notiz.txt").write_text("bleibt im Export")
    export = hub.root / "bernd.zip"
    r = subprocess.run([*cli, *tenants, "--export", str(export)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    import zipfile

    assert "notiz.txt" in zipfile.ZipFile(export).namelist()
    assert not home.exists()
    with pytest.raises(KeyError):
        hub.system_user("bernd")


def test_sigterm_stops_hub_proxy_and_user_servers(hub):
    """Last test of the module: stopping takes every process of the platform with it."""
    import psutil

    uids = {hub.system_user(n).pw_uid for n in ("anna", "carla")}

    def owned() -> list:
        return [
            p
            for p in psutil.process_iter(["uids", "status"])
            if p.info["uids"] and p.info["uids"].real in uids and p.info["status"] != "zombie"
        ]

    assert owned()
    hub.proc.send_signal(signal.SIGTERM)
    assert hub.proc.wait(120) == 0
    text = hub.out.read_text(encoding="utf-8")
    assert "Plattform beendet." in text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = owned()
        proxy = [
            p
            for p in psutil.process_iter(["cmdline"])
            if str(hub.state) in " ".join(p.info["cmdline"] or [])
        ]
        if not left and not proxy:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"left over: {left} {proxy}")
