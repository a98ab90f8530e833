# Anmeldung über OpenID Connect (OIDC), z. B. mit Keycloak oder einem anderen Identitätsdienst
# der Kommune bzw. des kommunalen IT-Dienstleisters (Single Sign-on).
#
# Diese Datei ist eine JupyterHub-Konfiguration (Python, Format von jupyterhub_config.py).
# Sie ersetzt die Pilot-Anmeldung der Plattform; Mandanten, Labs, Branding und Arbeitsbereiche
# bleiben, wie sie in mandanten.yaml stehen. Einbinden (README, Abschnitt „Plattform für viele
# Mitarbeitende“):
#   VM:         nach /etc/datenlabor/anmeldung.py kopieren; datenlabor-hub.service lädt sie mit
#               `datenlabor hub … --zusatz /etc/datenlabor/anmeldung.py` nach der Plattform.
#   Kubernetes: helm … --set-file hub.extraFiles.anmeldung.stringData=deploy/jupyterhub/anmeldung_oidc.py
#
# Benötigt das Paket oauthenticator (Version 17), installiert mit
#   .venv/bin/pip install -e ".[hub-auth]"
#
# In Keycloak (Realm der Verwaltung) vorher anlegen:
#   1. Client „datenlabor“: Client authentication an (vertraulicher Client), Standard Flow an,
#      Valid redirect URIs: https://<hub-adresse>/hub/oauth_callback,
#      Valid post logout redirect URIs: https://<hub-adresse>/
#   2. Im Client-Scope „datenlabor-dedicated“ einen Mapper vom Typ „Group Membership“:
#      Token Claim Name „groups“, Add to userinfo an. („Full group path“ darf an bleiben.)
#   3. Gruppen genau so benennen wie in mandanten.yaml: „mandant-<kennung>“ je Mandant und
#      „datenlabor-admins“ (plattform.admin_gruppe), Mitarbeitende dort eintragen.
#
# Geheimnisse (Client-Secret) stehen nicht in dieser Datei, sondern in der Umgebung des Dienstes,
# z. B. in /etc/datenlabor/hub.env (nur für root lesbar), die datenlabor-hub.service lädt.
# Geprüft gegen oauthenticator 17.4 (Optionsnamen aus dessen Quelltext).

import os

# „c“ ist die Konfiguration, in die JupyterHub diese Datei lädt (bei zero-to-jupyterhub schon
# vorhanden, dessen get_config() hat eine andere Bedeutung).
if "c" not in globals():
    c = get_config()  # noqa: F821


def umgebung(name: str) -> str:
    """Wert einer Umgebungsvariablen; fehlt sie, bricht der Hub mit einer klaren Meldung ab."""
    wert = os.environ.get(name, "").strip()
    if not wert:
        raise SystemExit(
            f"Anmeldung über OpenID Connect: Die Umgebungsvariable {name} ist nicht gesetzt. "
            "Bitte in /etc/datenlabor/hub.env eintragen (siehe deploy/jupyterhub/anmeldung_oidc.py)."
        )
    return wert.rstrip("/")


# AUSFÜLLEN (in hub.env): Adresse des Realms, z. B. https://login.kommune.example/realms/verwaltung
REALM = umgebung("DATENLABOR_OIDC_REALM_URL")
# AUSFÜLLEN (in hub.env): öffentliche Adresse des Hubs, z. B. https://datenlabor.kommune.example
HUB = umgebung("DATENLABOR_HUB_URL")

c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.login_service = "Dienstkonto der Verwaltung"  # Text auf dem Anmeldeknopf

# --- Client (in Keycloak angelegt) ------------------------------------------------------------
CLIENT_ID = os.environ.get("DATENLABOR_OIDC_CLIENT_ID", "datenlabor")
c.GenericOAuthenticator.client_id = CLIENT_ID
c.GenericOAuthenticator.client_secret = umgebung("DATENLABOR_OIDC_CLIENT_SECRET")
c.GenericOAuthenticator.oauth_callback_url = f"{HUB}/hub/oauth_callback"

# --- Endpunkte (Keycloak; andere Dienste nennen sie in /.well-known/openid-configuration) ----
c.GenericOAuthenticator.authorize_url = f"{REALM}/protocol/openid-connect/auth"
c.GenericOAuthenticator.token_url = f"{REALM}/protocol/openid-connect/token"
c.GenericOAuthenticator.userdata_url = f"{REALM}/protocol/openid-connect/userinfo"
# Abmelden im Hub meldet auch bei Keycloak ab (Single Sign-out).
c.GenericOAuthenticator.logout_redirect_url = (
    f"{REALM}/protocol/openid-connect/logout?client_id={CLIENT_ID}&post_logout_redirect_uri={HUB}/"
)
c.GenericOAuthenticator.scope = ["openid", "profile", "email"]
c.GenericOAuthenticator.enable_pkce = True
c.GenericOAuthenticator.validate_server_cert = True  # nie abschalten

# --- Wer ist die Person? ------------------------------------------------------------------------
# Hub-Benutzername = Keycloak-Benutzername (klein geschrieben; daraus wird der Systembenutzer
# „dl-<name>“). Ist im Realm die E-Mail-Adresse der Benutzername, ergibt das keinen gültigen
# Linux-Namen: dann ein Attribut wie „kuerzel“ per Mapper in den Token geben und hier eintragen.
c.GenericOAuthenticator.username_claim = "preferred_username"

# --- Gruppen: wer darf hinein, zu welchem Mandanten, wer ist Administrator ---------------------
# AUSFÜLLEN: dieselben Gruppennamen wie in mandanten.yaml. Wer in keiner dieser Gruppen ist,
# kommt nicht hinein.
MANDANTEN_GRUPPEN = {"mandant-musterstadt", "mandant-beispielhausen"}
ADMIN_GRUPPE = "datenlabor-admins"


def gruppen_aus_token(auth_state: dict) -> list[str]:
    """Gruppennamen aus dem Claim „groups“, ohne Pfad („/kommune/mandant-x“ → „mandant-x“)."""
    gruppen = (auth_state.get("oauth_user") or {}).get("groups") or []
    return [str(g).rstrip("/").rsplit("/", 1)[-1] for g in gruppen]


# Die Gruppen kommen bei jeder Anmeldung aus dem Token; JupyterHub gleicht sie ab.
# (Damit gelten die Listen „benutzer“ und „admins“ aus mandanten.yaml nicht mehr.)
c.GenericOAuthenticator.manage_groups = True
c.GenericOAuthenticator.auth_state_groups_key = gruppen_aus_token
c.GenericOAuthenticator.allowed_groups = MANDANTEN_GRUPPEN | {ADMIN_GRUPPE}
c.GenericOAuthenticator.admin_groups = {ADMIN_GRUPPE}
c.JupyterHub.load_groups = {}
# Die Pilot-Listen der Plattform (allowed_users, admin_users) gelten nicht mehr: Zugang und
# Administratorrecht entscheidet allein die Gruppe.
c.Authenticator.allowed_users = set()
c.Authenticator.admin_users = set()
