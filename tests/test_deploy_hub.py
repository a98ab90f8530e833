"""The JupyterHub deployment files in deploy/jupyterhub/ (fast, no server is started or contacted).

- the production authenticator examples (LDAP/AD, OpenID Connect) load as JupyterHub config, every
  configured trait exists on its class (traitlets), the authenticators accept the config, and the
  group mapping turns directory/token groups into the tenant and admin groups;
- the zero-to-jupyterhub values against the chart's own values schema (vendored, chart 4.4.0), the
  ConfigMap with kubernetes-validate;
- the single-user Containerfile, the systemd unit and the HAProxy front end statically.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config, PyFileConfigLoader

from tests.browser import run_async
from tests.helpers import fixture_path, haproxy_check

ROOT = Path(__file__).resolve().parents[1]
HUB_DEPLOY = ROOT / "deploy" / "jupyterhub"

LDAP_ENV = {"DATENLABOR_LDAP_PASSWORT": "nur-fuer-den-test"}
OIDC_ENV = {
    "DATENLABOR_OIDC_REALM_URL": "https://login.kommune.example/realms/verwaltung/",
    "DATENLABOR_HUB_URL": "https://datenlabor.kommune.example",
    "DATENLABOR_OIDC_CLIENT_SECRET": "nur-fuer-den-test",
}


def load_config(name: str) -> Config:
    loader = PyFileConfigLoader(name, path=str(HUB_DEPLOY))
    return loader.load_config()


def configurable_classes() -> dict[str, type]:
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import Authenticator
    from ldapauthenticator import LDAPAuthenticator
    from oauthenticator.generic import GenericOAuthenticator

    classes = (JupyterHub, Authenticator, LDAPAuthenticator, GenericOAuthenticator)
    return {cls.__name__: cls for cls in classes}


def assert_every_trait_exists(config: Config) -> None:
    classes = configurable_classes()
    for section, values in config.items():
        assert section in classes, f"unknown configurable {section}"
        known = set(classes[section].class_trait_names(config=True))
        unknown = set(values) - known
        assert not unknown, f"{section} has no traits {sorted(unknown)}"


@pytest.mark.parametrize("name", ["anmeldung_ldap.py", "anmeldung_oidc.py"])
def test_options_in_comments_exist_too(name):
    """The commented alternatives (e.g. bind_dn_template) are filled in later: same check."""
    import re

    classes = configurable_classes()
    text = (HUB_DEPLOY / name).read_text(encoding="utf-8")
    found = re.findall(r"^#?\s*c\.(\w+)\.(\w+)\s*=", text, flags=re.MULTILINE)
    assert len(found) > 10
    for section, trait in found:
        assert trait in classes[section].class_trait_names(config=True), f"{section}.{trait}"


def test_ldap_example_configures_only_existing_traits_and_maps_groups(monkeypatch):
    from jupyterhub.app import JupyterHub
    from ldap3.core.tls import Tls
    from ldapauthenticator import LDAPAuthenticator

    for key, value in LDAP_ENV.items():
        monkeypatch.setenv(key, value)
    config = load_config("anmeldung_ldap.py")
    assert_every_trait_exists(config)

    assert JupyterHub(config=config).authenticator_class is LDAPAuthenticator
    auth = LDAPAuthenticator(config=config)  # runs the library's own validators
    assert auth.manage_groups is True
    assert auth.lookup_dn_search_password == "nur-fuer-den-test"
    assert auth.tls_strategy.name == "before_bind"  # StartTLS, never "insecure"
    assert auth.tls_kwargs["validate"] == ssl.CERT_REQUIRED  # ldap3 does not check by default
    Tls(**{**auth.tls_kwargs, "ca_certs_file": None})  # keyword names accepted by ldap3

    dn = "CN=Datenlabor-{},OU=Gruppen,DC=kommune,DC=example"
    model = {
        "name": "mmuster",
        "admin": None,
        "auth_state": {"ldap_groups": [dn.format("Musterstadt"), "CN=Andere,DC=x"]},
    }
    model = auth.post_auth_hook(auth, None, model)
    assert model["groups"] == ["mandant-musterstadt"] and model["admin"] is False
    model["auth_state"]["ldap_groups"].append(dn.format("Admins"))
    model = auth.post_auth_hook(auth, None, model)
    assert model["groups"] == ["datenlabor-admins", "mandant-musterstadt"]
    assert model["admin"] is True
    assert set(auth.allowed_groups) == {
        dn.format(n) for n in ("Musterstadt", "Beispielhausen", "Admins")
    }


def test_oidc_example_configures_only_existing_traits_and_maps_groups(monkeypatch):
    from jupyterhub.app import JupyterHub
    from oauthenticator.generic import GenericOAuthenticator

    for key, value in OIDC_ENV.items():
        monkeypatch.setenv(key, value)
    config = load_config("anmeldung_oidc.py")
    assert_every_trait_exists(config)

    assert JupyterHub(config=config).authenticator_class is GenericOAuthenticator
    auth = GenericOAuthenticator(config=config)
    realm = "https://login.kommune.example/realms/verwaltung"
    assert auth.token_url == f"{realm}/protocol/openid-connect/token"
    assert auth.oauth_callback_url == "https://datenlabor.kommune.example/hub/oauth_callback"
    assert auth.client_secret == "nur-fuer-den-test" and auth.validate_server_cert is True

    async def groups_and_access(groups: list[str]) -> tuple[set[str], bool]:
        state = {"oauth_user": {"preferred_username": "anna", "groups": groups}}
        found = await auth.get_user_groups(state)
        model = {"name": "anna", "admin": None, "auth_state": state, "groups": sorted(found)}
        return found, await auth.check_allowed("anna", model)

    # run_async: a browser test in this worker may have left an event loop running here
    found, allowed = run_async(groups_and_access(["/kommune/mandant-beispielhausen"]))
    assert found == {"mandant-beispielhausen"} and allowed
    found, allowed = run_async(groups_and_access(["/andere-gruppe"]))
    assert not allowed
    assert auth.admin_groups == {"datenlabor-admins"}


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("anmeldung_ldap.py", "DATENLABOR_LDAP_PASSWORT"),
        ("anmeldung_oidc.py", "DATENLABOR_OIDC_REALM_URL"),
    ],
)
def test_missing_secret_stops_with_a_german_message(monkeypatch, name, variable):
    for key in (*LDAP_ENV, *OIDC_ENV):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(SystemExit, match=f"Umgebungsvariable {variable} ist nicht gesetzt"):
        load_config(name)


def test_sign_in_examples_also_run_where_c_is_given_as_in_zero_to_jupyterhub(monkeypatch):
    """z2jh executes hub.extraFiles in jupyterhub_config.d with its own get_config(key)."""
    for key, value in {**LDAP_ENV, **OIDC_ENV}.items():
        monkeypatch.setenv(key, value)

    def z2jh_get_config(key, default=None):  # the chart's helper has another signature
        raise AssertionError("the example must not call get_config() when c exists")

    for name in ("anmeldung_ldap.py", "anmeldung_oidc.py"):
        namespace = {"c": Config(), "get_config": z2jh_get_config}
        code = (HUB_DEPLOY / name).read_text(encoding="utf-8")
        exec(compile(code, name, "exec"), namespace)
        assert namespace["c"].Authenticator.manage_groups is not False
        assert_every_trait_exists(namespace["c"])


def test_production_sign_in_replaces_the_pilot_sign_in_of_the_platform(monkeypatch, tmp_path):
    """Loaded with ``datenlabor hub --zusatz``, the example overrides the pilot's groups and lists."""
    pytest.importorskip("datenlabor.hub.config")
    from jupyterhub.app import JupyterHub
    from ldapauthenticator import LDAPAuthenticator

    for key, value in LDAP_ENV.items():
        monkeypatch.setenv(key, value)
    main = tmp_path / "jupyterhub_config.py"
    main.write_text(
        "from datenlabor.hub.config import configure\n"
        f"configure(c, tenant_file={str(HUB_DEPLOY / 'mandanten.yaml')!r}, state_dir={str(tmp_path)!r})\n"
        f"load_subconfig({str(HUB_DEPLOY / 'anmeldung_ldap.py')!r})\n",
        encoding="utf-8",
    )
    config = PyFileConfigLoader(main.name, path=str(tmp_path)).load_config()
    assert config.JupyterHub.load_groups == {}  # else JupyterHub refuses manage_groups
    assert config.Authenticator.allowed_users == set()
    assert config.Authenticator.admin_users == set()  # admin only through the directory group
    assert JupyterHub(config=config).authenticator_class is LDAPAuthenticator


INITIALIZE = """
import asyncio, sys
from jupyterhub import orm
from jupyterhub.app import JupyterHub

app = JupyterHub()
asyncio.run(app.initialize(["-f", sys.argv[1]]))
print(type(app.authenticator).__name__, app.authenticator.manage_groups)
print(sorted(g.name for g in app.db.query(orm.Group)))
"""


@pytest.mark.parametrize(
    ("name", "env"), [("anmeldung_ldap.py", LDAP_ENV), ("anmeldung_oidc.py", OIDC_ENV)]
)
def test_platform_with_production_sign_in_initializes(tmp_path, name, env):
    """JupyterHub's own start-up checks (database, groups, roles) up to listening, no server."""
    pytest.importorskip("datenlabor.hub.config")
    (tmp_path / "geheim").mkdir(mode=0o700)
    main = tmp_path / "jupyterhub_config.py"
    main.write_text(
        "from datenlabor.hub.config import configure\n"
        f"configure(c, tenant_file={str(HUB_DEPLOY / 'mandanten.yaml')!r}, state_dir={str(tmp_path)!r})\n"
        f"load_subconfig({str(HUB_DEPLOY / name)!r})\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-c", INITIALIZE, str(main)],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    auth, groups = result.stdout.strip().splitlines()[-2:]
    assert auth.endswith(" True")  # the authenticator manages the groups
    assert "datenlabor-admins" in groups


# --- Kubernetes (zero-to-jupyterhub) --------------------------------------------------------

Z2JH = fixture_path("z2jh")  # chart 4.4.0: values.yaml and values.schema.json (BSD-3-Clause)


def helm_merge(base, override):
    """Helm's coalescing of user values onto chart defaults: maps merge, null deletes, rest replaces."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return copy.deepcopy(override)
    out = copy.deepcopy(base)
    for key, value in override.items():
        if value is None and key in out and isinstance(out[key], dict):
            del out[key]
        elif key in out:
            out[key] = helm_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def our_values(auth_file: str = "anmeldung_oidc.py") -> dict:
    values = yaml.safe_load((HUB_DEPLOY / "values.yaml").read_text(encoding="utf-8"))
    # what `helm --set-file hub.extraFiles.anmeldung.stringData=deploy/jupyterhub/…` adds
    values["hub"]["extraFiles"]["anmeldung"]["stringData"] = (HUB_DEPLOY / auth_file).read_text(
        encoding="utf-8"
    )
    return values


def test_values_are_valid_against_the_chart_schema():
    import jsonschema

    schema = json.loads((Z2JH / "values.schema.json").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((Z2JH / "values.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(defaults, schema)  # the vendored pair belongs together
    for auth_file in ("anmeldung_oidc.py", "anmeldung_ldap.py"):
        jsonschema.validate(helm_merge(defaults, our_values(auth_file)), schema)
    broken = our_values()
    broken["singleuser"]["memory"]["limt"] = "2G"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(helm_merge(defaults, broken), schema)


def test_values_set_image_culler_limits_storage_and_the_mounted_tenant_file():
    values = our_values()
    hub, user = values["hub"], values["singleuser"]
    assert_every_trait_exists(Config(hub["config"]))
    assert hub["config"]["JupyterHub"]["authenticator_class"] != "dummy"
    assert (
        "loadRoles" not in hub
    )  # admin comes from the sign-in file (JupyterHub 5 first-start bug)
    secret = hub["extraEnv"]["DATENLABOR_OIDC_CLIENT_SECRET"]["valueFrom"]["secretKeyRef"]
    assert secret["name"] == "datenlabor-anmeldung"
    assert values["cull"] == {
        "enabled": True,
        "timeout": 90 * 60,
        "every": 300,
        "maxAge": 10 * 3600,
        "users": False,
        "adminUsers": True,
        "removeNamedServers": False,
    }
    assert user["memory"] == {"guarantee": "1G", "limit": "2G"}
    assert user["cpu"]["limit"] == 1.0 and user["cpu"]["guarantee"] > 0
    assert user["storage"]["type"] == "dynamic" and user["storage"]["capacity"] == "5Gi"
    assert user["uid"] == 1000 and user["cmd"] == ["datenlabor-start"]
    (mount,) = user["storage"]["extraVolumeMounts"]
    assert mount["mountPath"] == "/etc/datenlabor" and mount["readOnly"] is True
    assert user["extraEnv"]["DATENLABOR_MANDANTEN"] == "/etc/datenlabor/mandanten.yaml"
    assert values["ingress"]["tls"][0]["secretName"]

    # the hub hook hands the person's groups to the server
    class Group:
        def __init__(self, name):
            self.name = name

    class Spawner:
        environment: dict = {}
        user = type("U", (), {"groups": [Group("mandant-musterstadt"), Group("datenlabor-admins")]})

    c = Config()
    exec(hub["extraConfig"]["datenlabor-mandanten"], {"c": c})
    spawner = Spawner()
    c.KubeSpawner.pre_spawn_hook(spawner)
    assert spawner.environment["DATENLABOR_GRUPPEN"] == "datenlabor-admins,mandant-musterstadt"


def configmap() -> dict:
    return yaml.safe_load((HUB_DEPLOY / "mandanten-configmap.yaml").read_text(encoding="utf-8"))


def test_configmap_and_the_pod_parts_of_the_values_are_valid_kubernetes():
    import kubernetes_validate

    kubernetes_validate.validate(configmap(), "1.30.0", strict=True)
    user = our_values()["singleuser"]
    env = [
        {"name": k, "value": v} if isinstance(v, str) else {"name": k, **v}
        for k, v in {**user["extraEnv"], **our_values()["hub"]["extraEnv"]}.items()
    ]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "jupyter-anna"},
        "spec": {
            "securityContext": {"runAsUser": user["uid"], "fsGroup": user["fsGid"]},
            "containers": [
                {
                    "name": "notebook",
                    "image": f"{user['image']['name']}:{user['image']['tag']}",
                    "command": user["cmd"],
                    "env": env,
                    "volumeMounts": user["storage"]["extraVolumeMounts"],
                }
            ],
            "volumes": user["storage"]["extraVolumes"],
        },
    }
    kubernetes_validate.validate(pod, "1.30.0", strict=True)
    keys = {item["key"] for item in user["storage"]["extraVolumes"][0]["configMap"]["items"]}
    assert keys == set(configmap()["data"])


def write_configmap(target: Path) -> Path:
    """The files as the pod sees them under /etc/datenlabor (keys mapped to paths)."""
    data = configmap()["data"]
    for item in our_values()["singleuser"]["storage"]["extraVolumes"][0]["configMap"]["items"]:
        path = target / item["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data[item["key"]], encoding="utf-8")
    return target / "mandanten.yaml"


def test_configmap_tenant_file_is_valid_and_matches_the_sign_in_groups(tmp_path):
    pytest.importorskip("datenlabor.hub.tenants")
    from datenlabor.hub.tenants import load_tenants

    platform = load_tenants(write_configmap(tmp_path))
    groups = {t.group for t in platform.tenants.values()}
    assert groups == {"mandant-musterstadt", "mandant-beispielhausen"}
    assert platform.admin_group == "datenlabor-admins"
    assert not platform.all_users()  # on Kubernetes the groups come from LDAP/Keycloak
    for name in ("anmeldung_ldap.py", "anmeldung_oidc.py"):
        text = (HUB_DEPLOY / name).read_text(encoding="utf-8")
        assert all(f'"{g}"' in text for g in groups | {platform.admin_group}), name


def test_kubernetes_start_picks_the_tenant_from_the_groups(tmp_path, monkeypatch, capsys):
    pytest.importorskip("datenlabor.hub.system")
    import importlib.util

    spec = importlib.util.spec_from_file_location("start_k8s", HUB_DEPLOY / "start_kubernetes.py")
    start = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(start)
    monkeypatch.setattr(start, "ASSEMBLED", tmp_path / "zusammengestellt")
    monkeypatch.setattr(os, "environ", dict(os.environ))  # main() sets the server's environment
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DATENLABOR_MANDANTEN", str(write_configmap(tmp_path / "etc")))
    for key in ("DATENLABOR_LABS", "DATENLABOR_MANDANT_LABS", "DATENLABOR_BRANDING"):
        monkeypatch.delenv(key, raising=False)
    calls = []
    monkeypatch.setattr(start.os, "execv", lambda *args: calls.append(args))

    monkeypatch.setenv("DATENLABOR_GRUPPEN", "mandant-beispielhausen")
    assert start.main(["--debug"]) == 0
    assert calls[0][1][-2:] == ["datenlabor.hub.singleuser", "--debug"]
    assert os.environ["DATENLABOR_MANDANT"] == "beispielhausen"
    assert os.environ["DATENLABOR_LABS"] == str(home / "labs")
    labs = sorted(p.name for p in Path(os.environ["DATENLABOR_MANDANT_LABS"]).iterdir())
    assert labs == ["daten-erkunden", "offene-daten-nutzen", "orte-und-wege"]
    assert os.environ["DATENLABOR_BRANDING"].endswith("branding/beispielhausen.yaml")

    del os.environ["DATENLABOR_LABS"]  # a new pod: only the image's environment
    monkeypatch.setenv("DATENLABOR_GRUPPEN", "andere-gruppe")
    monkeypatch.setenv("JUPYTERHUB_USER", "zoe")
    assert start.main([]) == 1 and len(calls) == 1
    assert "„zoe“ gehört zu keinem Mandanten" in capsys.readouterr().err


# --- Single-user image, systemd unit, TLS front end ------------------------------------------


def containerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of deploy/jupyterhub/Containerfile, continuation lines joined."""
    text = (HUB_DEPLOY / "Containerfile").read_text(encoding="utf-8")
    logical, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in logical]


def test_containerfile_builds_a_non_root_german_image_with_read_only_labs():
    steps = containerfile()
    kinds = [k for k, _ in steps]
    assert kinds[0] == "FROM" and kinds.count("FROM") == 1
    base = steps[0][1]
    assert ":" in base and not base.endswith(":latest")  # a fixed version
    assert all(
        k in {"FROM", "ENV", "RUN", "COPY", "WORKDIR", "USER", "EXPOSE", "ENTRYPOINT", "CMD"}
        for k in kinds
    )
    users = [a for k, a in steps if k == "USER"]
    assert users[-1].split(":")[0] == "1000"  # the server never runs as root
    assert kinds.index("USER") > max(i for i, k in enumerate(kinds) if k == "RUN")
    run = " ".join(a for k, a in steps if k == "RUN")
    assert "scripts/bootstrap.py install" in run and '-e ".[hub]"' in run
    assert "jupyterlab_language_pack_de_DE" in run  # German JupyterLab, checked while building
    assert "chmod -R a-w" in run and "/opt/datenlabor/labs" in run
    assert "chown -R root:root /opt/datenlabor" in run
    assert "start_kubernetes.py /usr/local/bin/datenlabor-start" in run
    assert json.loads(dict(steps)["CMD"]) == ["datenlabor-start"]
    assert json.loads(dict(steps)["ENTRYPOINT"]) == ["tini", "--"]
    env = " ".join(a for k, a in steps if k == "ENV")
    assert "DATENLABOR_ROOT=/opt/datenlabor" in env and "DATENLABOR_LABS" not in env
    ignored = (ROOT / ".containerignore").read_text(encoding="utf-8").split()
    assert {".venv", "runs", ".git"} <= set(ignored)
    from importlib.metadata import requires

    needs = [r.lower() for r in requires("datenlabor") or []]
    hub = " ".join(r for r in needs if 'extra == "hub"' in r)
    assert "jupyterhub" in hub  # the image installs .[hub]
    # the German language pack comes with every installation (staff JupyterLab too)
    assert any(
        r.startswith("jupyterlab-language-pack-de-de") and "extra ==" not in r for r in needs
    )


def test_systemd_unit_runs_the_hub_behind_tls_with_the_sign_in_file(tmp_path):
    text = (HUB_DEPLOY / "datenlabor-hub.service").read_text(encoding="utf-8")
    assert "datenlabor hub --ip 127.0.0.1 --port 8000" in text
    assert "--zusatz /etc/datenlabor/anmeldung.py" in text and "--mandanten /etc/" in text
    assert "EnvironmentFile=/etc/datenlabor/hub.env" in text and "KillMode=mixed" in text
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze fehlt")
    unit = tmp_path / "datenlabor-hub.service"
    unit.write_text(
        text.replace(
            "/opt/datenlabor/.venv/bin/datenlabor", str(Path(sys.prefix) / "bin" / "datenlabor")
        ).replace("WorkingDirectory=/opt/datenlabor", f"WorkingDirectory={tmp_path}"),
        encoding="utf-8",
    )
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy (Debian-Paket) fehlt")
def test_haproxy_front_end_for_the_hub_is_accepted(tmp_path):
    config = HUB_DEPLOY / "haproxy-hub.cfg"
    text = config.read_text(encoding="utf-8")
    assert "uri /hub/health" in text and "timeout tunnel" in text
    assert "X-Forwarded-Proto https" in text and "127.0.0.1:8000" in text
    result = haproxy_check(config, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
