# Anmeldung mit den vorhandenen Konten aus LDAP oder Active Directory (AD).
#
# Diese Datei ist eine JupyterHub-Konfiguration (Python, Format von jupyterhub_config.py).
# Sie ersetzt die Pilot-Anmeldung der Plattform; Mandanten, Labs, Branding und Arbeitsbereiche
# bleiben, wie sie in mandanten.yaml stehen. Einbinden (README, Abschnitt „Plattform für viele
# Mitarbeitende“):
#   VM:         nach /etc/datenlabor/anmeldung.py kopieren; datenlabor-hub.service lädt sie mit
#               `datenlabor hub … --zusatz /etc/datenlabor/anmeldung.py` nach der Plattform.
#   Kubernetes: helm … --set-file hub.extraFiles.anmeldung.stringData=deploy/jupyterhub/anmeldung_ldap.py
#
# Benötigt das Paket jupyterhub-ldapauthenticator (Version 2), installiert mit
#   .venv/bin/pip install -e ".[hub-auth]"
#
# Was die IT-Abteilung ausfüllen muss, steht unter „AUSFÜLLEN“. Geheimnisse (das Passwort des
# Suchkontos) stehen nicht in dieser Datei, sondern in der Umgebung des Dienstes, z. B. in
# /etc/datenlabor/hub.env (nur für root lesbar), die die systemd-Unit datenlabor-hub.service lädt.
#
# Es wird bei jeder Anmeldung nur der Verzeichnisdienst gefragt; JupyterHub speichert keine
# Passwörter. Geprüft gegen jupyterhub-ldapauthenticator 2.0.2 (Optionsnamen aus dessen Quelltext).

import os
import ssl

# „c“ ist die Konfiguration, in die JupyterHub diese Datei lädt (bei zero-to-jupyterhub schon
# vorhanden, dessen get_config() hat eine andere Bedeutung).
if "c" not in globals():
    c = get_config()  # noqa: F821


def umgebung(name: str) -> str:
    """Wert einer Umgebungsvariablen; fehlt sie, bricht der Hub mit einer klaren Meldung ab."""
    wert = os.environ.get(name, "").strip()
    if not wert:
        raise SystemExit(
            f"Anmeldung über LDAP: Die Umgebungsvariable {name} ist nicht gesetzt. "
            "Bitte in /etc/datenlabor/hub.env eintragen (siehe deploy/jupyterhub/anmeldung_ldap.py)."
        )
    return wert


c.JupyterHub.authenticator_class = "ldapauthenticator"

# --- Server und Verschlüsselung -----------------------------------------------------------
# AUSFÜLLEN: Name des Verzeichnisservers (bei AD ein Domänencontroller oder der Domänenname).
c.LDAPAuthenticator.server_address = os.environ.get(
    "DATENLABOR_LDAP_SERVER", "dc01.kommune.example"
)
# Verschlüsselung: "before_bind" = StartTLS auf Port 389 (Vorgabe, empfohlen);
# "on_connect" = LDAPS auf Port 636. Nie "insecure": dann gingen Passwörter im Klartext übers Netz.
c.LDAPAuthenticator.tls_strategy = "before_bind"
c.LDAPAuthenticator.server_port = 389
# Das Zertifikat des Servers MUSS geprüft werden: Die Bibliothek ldap3 prüft es sonst nicht.
# AUSFÜLLEN: die Zertifizierungsstelle (CA) der Kommune als PEM-Datei. Liegt sie im
# Systemspeicher (update-ca-certificates), genügt /etc/ssl/certs/ca-certificates.crt.
c.LDAPAuthenticator.tls_kwargs = {
    "validate": ssl.CERT_REQUIRED,
    "ca_certs_file": os.environ.get("DATENLABOR_LDAP_CA", "/etc/ssl/certs/ca-certificates.crt"),
}

# --- Wer ist die Person? (Benutzer-DN) ------------------------------------------------------
# Weg A (Active Directory, empfohlen): Das Konto wird mit einem Suchkonto nachgeschlagen.
# Angemeldet wird mit dem Windows-Anmeldenamen (sAMAccountName), z. B. „mmuster“.
c.LDAPAuthenticator.lookup_dn = True
# AUSFÜLLEN: Wo im Verzeichnis die Konten der Mitarbeitenden liegen.
c.LDAPAuthenticator.user_search_base = os.environ.get(
    "DATENLABOR_LDAP_BENUTZER_BASIS", "OU=Mitarbeitende,DC=kommune,DC=example"
)
c.LDAPAuthenticator.user_attribute = "sAMAccountName"  # bei OpenLDAP meist "uid"
c.LDAPAuthenticator.lookup_dn_search_filter = "({login_attr}={login})"
# AUSFÜLLEN: ein Dienstkonto, das nur lesen darf (nie ein Administratorkonto).
c.LDAPAuthenticator.lookup_dn_search_user = os.environ.get(
    "DATENLABOR_LDAP_SUCHKONTO", "CN=svc-datenlabor,OU=Dienstkonten,DC=kommune,DC=example"
)
c.LDAPAuthenticator.lookup_dn_search_password = umgebung("DATENLABOR_LDAP_PASSWORT")
c.LDAPAuthenticator.lookup_dn_user_dn_attribute = "sAMAccountName"
# Hub-Benutzername = sAMAccountName in Kleinbuchstaben (daraus wird der Systembenutzer „dl-<name>“).
c.LDAPAuthenticator.use_lookup_dn_username = True
# Nur Anmeldenamen zulassen, die (klein geschrieben, mit Präfix „dl-“) gültige Linux-Benutzernamen
# ergeben; Groß- und Kleinschreibung beim Eintippen ist egal.
c.LDAPAuthenticator.valid_username_regex = r"^[A-Za-z][A-Za-z0-9_.-]{0,28}$"

# Weg B (OpenLDAP ohne Suchkonto): den DN aus einer Vorlage bilden, dann Weg A weglassen.
# c.LDAPAuthenticator.lookup_dn = False
# c.LDAPAuthenticator.bind_dn_template = ["uid={username},ou=people,dc=kommune,dc=example"]

# --- Gruppen: wer darf hinein, zu welchem Mandanten, wer ist Administrator ------------------
# AUSFÜLLEN: Verzeichnisgruppe (DN) → JupyterHub-Gruppe. Die JupyterHub-Gruppen müssen genau so
# heißen wie in mandanten.yaml: „gruppe“ eines Mandanten (Vorgabe „mandant-<kennung>“) und
# plattform.admin_gruppe (Vorgabe „datenlabor-admins“). Wer in keiner dieser Gruppen ist,
# kommt nicht hinein.
GRUPPEN = {
    "CN=Datenlabor-Musterstadt,OU=Gruppen,DC=kommune,DC=example": "mandant-musterstadt",
    "CN=Datenlabor-Beispielhausen,OU=Gruppen,DC=kommune,DC=example": "mandant-beispielhausen",
    "CN=Datenlabor-Admins,OU=Gruppen,DC=kommune,DC=example": "datenlabor-admins",
}
ADMIN_GRUPPE = "datenlabor-admins"

c.LDAPAuthenticator.allowed_groups = list(GRUPPEN)
# Mitgliedschaft über das Attribut „member“ (AD, groupOfNames) oder „memberUid“ (posixGroup).
# Verschachtelte AD-Gruppen zusätzlich erkennen: Filter mit LDAP_MATCHING_RULE_IN_CHAIN, z. B.
# c.LDAPAuthenticator.group_search_filter = "(member:1.2.840.113556.1.4.1941:={userdn})"
c.LDAPAuthenticator.group_search_filter = (
    "(|(member={userdn})(uniqueMember={userdn})(memberUid={uid}))"
)
c.LDAPAuthenticator.group_attributes = ["member", "uniqueMember", "memberUid"]

# Die Gruppen kommen bei jeder Anmeldung aus dem Verzeichnis; JupyterHub gleicht sie ab.
# (Damit gelten die Listen „benutzer“ und „admins“ aus mandanten.yaml nicht mehr.)
c.Authenticator.manage_groups = True
c.JupyterHub.load_groups = {}
# Die Pilot-Listen der Plattform (allowed_users, admin_users) gelten nicht mehr: Zugang und
# Administratorrecht entscheidet allein die Gruppe.
c.Authenticator.allowed_users = set()
c.Authenticator.admin_users = set()


def gruppen_aus_ldap(authenticator, handler, auth_model):
    """Setzt Hub-Gruppen und Administratorrecht aus den gefundenen Verzeichnisgruppen."""
    gefunden = (auth_model.get("auth_state") or {}).get("ldap_groups") or []
    gruppen = sorted({GRUPPEN[dn] for dn in gefunden if dn in GRUPPEN})
    auth_model["groups"] = gruppen
    auth_model["admin"] = ADMIN_GRUPPE in gruppen
    return auth_model


c.Authenticator.post_auth_hook = gruppen_aus_ldap
