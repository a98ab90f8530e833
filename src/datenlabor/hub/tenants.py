"""The tenant file (Mandanten-Datei): municipalities, their groups, branding and labs.

One YAML file describes the whole platform; the format is documented in
``deploy/jupyterhub/mandanten.yaml`` (and README "Plattform für viele Mitarbeitende").
:func:`load_tenants` is its single reader: it validates everything before the hub
starts and reports each problem in German with the key path, e.g.
``mandanten → musterstadt → labs: Lab „xyz“ gibt es nicht``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BrandingError, TenantFileError

FORMAT_VERSION = 1
TENANT_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
# Hub user names we accept: they become part of a Linux user name (prefix + name, max 32).
USER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,23}")
GROUP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,63}")
SIZE = re.compile(r"(\d+(?:[.,]\d+)?)\s*([KMGT]?)B?", re.IGNORECASE)

PLATFORM_KEYS = {
    "titel",
    "admin_gruppe",
    "admins",
    "arbeitsbereiche",
    "systembenutzer_praefix",
    "leerlauf_minuten",
    "hoechstdauer_stunden",
    "ressourcen",
}
TENANT_KEYS = {"name", "gruppe", "branding", "labs", "eigene_labs", "benutzer", "ressourcen"}


@dataclass(frozen=True)
class LabSource:
    """Where a tenant's own labs come from: a folder, or a git repository (``ref`` optional)."""

    folder: Path | None = None
    git: str = ""
    ref: str = ""


@dataclass(frozen=True)
class Resources:
    """Per-user limits: memory in bytes, CPUs as a fraction (0 = no limit)."""

    memory: int = 0
    cpu: float = 0.0


@dataclass
class Tenant:
    """One municipality: its hub group, branding file, lab selection and pilot members."""

    key: str
    name: str
    group: str
    branding: Path | None
    labs: list[str] | None  # None: all labs of the installation
    own_labs: list[LabSource] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    resources: Resources = Resources()


@dataclass
class Platform:
    """The whole tenant file, validated (see the module docstring)."""

    path: Path
    title: str = "Datenlabor"
    admin_group: str = "datenlabor-admins"
    admins: list[str] = field(default_factory=list)
    workspaces: Path = Path("/home/datenlabor")
    user_prefix: str = "dl-"
    idle_minutes: float = 90.0
    max_age_hours: float = 10.0
    resources: Resources = Resources()
    tenants: dict[str, Tenant] = field(default_factory=dict)

    def tenant_for_groups(self, groups: list[str] | set[str]) -> Tenant | None:
        """The first tenant (in file order) whose group is among ``groups``; None if none."""
        for tenant in self.tenants.values():
            if tenant.group in groups:
                return tenant
        return None

    def all_users(self) -> list[str]:
        """Every user named in the file (admins and tenant members), each once."""
        names = list(self.admins)
        for tenant in self.tenants.values():
            names.extend(tenant.users)
        return list(dict.fromkeys(names))

    def system_user(self, hub_name: str) -> str:
        """The Linux account of a hub user: prefix + name (see :data:`USER_NAME`)."""
        return f"{self.user_prefix}{hub_name}"


def _where(path: list[str]) -> str:
    return " → ".join(path)


def _fail(path: list[str], message: str) -> TenantFileError:
    return TenantFileError(f"Mandanten-Datei, {_where(path)}: {message}")


def _mapping(value: Any, path: list[str], allowed: set[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(path, "erwartet wird eine Zuordnung (Schlüssel: Wert).")
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise _fail(
            path,
            f"unbekannter Schlüssel „{unknown[0]}“. Erlaubt: {', '.join(sorted(allowed))}.",
        )
    return value


def _text(value: Any, path: list[str], pattern: re.Pattern | None = None, hint: str = "") -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, "erwartet wird ein Text.")
    value = value.strip()
    if pattern is not None and not pattern.fullmatch(value):
        raise _fail(path, f"„{value}“ ist nicht erlaubt ({hint}).")
    return value


def _number(value: Any, path: list[str], low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, f"erwartet wird eine Zahl, nicht {value!r}.")
    if not low <= value <= high:
        raise _fail(
            path,
            f"{value:g} liegt außerhalb von {low:g} bis {high:g}.".replace(".", ","),
        )
    return float(value)


def _names(value: Any, path: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(path, "erwartet wird eine Liste von Namen, z. B. [anna, bernd].")
    hint = "Kleinbuchstaben, Ziffern, Punkt, Binde- oder Unterstrich, höchstens 24 Zeichen"
    return [_text(v, [*path, str(i + 1)], USER_NAME, hint) for i, v in enumerate(value)]


def _size(value: Any, path: list[str]) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    match = SIZE.fullmatch(str(value).strip())
    if not match:
        raise _fail(path, f"„{value}“ ist keine Speichergröße wie 2G oder 512M.")
    number = float(match.group(1).replace(",", "."))
    return int(number * 1024 ** "_KMGT".index(match.group(2).upper() or "_"))


def _resources(value: Any, path: list[str], base: Resources) -> Resources:
    data = _mapping(value, path, {"speicher", "cpu"})
    memory = _size(data["speicher"], [*path, "speicher"]) if "speicher" in data else base.memory
    cpu = _number(data["cpu"], [*path, "cpu"], 0.1, 256) if "cpu" in data else base.cpu
    return Resources(memory=memory, cpu=cpu)


def _file(base: Path, value: Any, path: list[str], folder: bool = False) -> Path:
    target = (base / _text(value, path)).resolve()
    if folder and not target.is_dir():
        raise _fail(path, f"den Ordner „{target}“ gibt es nicht.")
    if not folder and not target.is_file():
        raise _fail(path, f"die Datei „{target}“ gibt es nicht.")
    return target


def _lab_sources(value: Any, path: list[str], base: Path) -> list[LabSource]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(path, "erwartet wird eine Liste mit Einträgen „ordner:“ oder „git:“.")
    sources = []
    for i, item in enumerate(value):
        where = [*path, str(i + 1)]
        entry = _mapping(item, where, {"ordner", "git", "ref"})
        if ("ordner" in entry) == ("git" in entry):
            raise _fail(
                where, "jeder Eintrag braucht genau einen der Schlüssel „ordner“ oder „git“."
            )
        if "ordner" in entry:
            if "ref" in entry:
                raise _fail(where, "„ref“ gilt nur für „git“.")
            sources.append(LabSource(folder=_file(base, entry["ordner"], [*where, "ordner"], True)))
        else:
            ref = _text(entry["ref"], [*where, "ref"]) if "ref" in entry else ""
            sources.append(LabSource(git=_text(entry["git"], [*where, "git"]), ref=ref))
    return sources


def _tenant(key: str, value: Any, base: Path, platform: Platform, known_labs: set[str]) -> Tenant:
    path = ["mandanten", key]
    _text(
        key, path, TENANT_ID, "Kennung aus Kleinbuchstaben, Ziffern und Bindestrich, 2–40 Zeichen"
    )
    data = _mapping(value, path, TENANT_KEYS)
    if "name" not in data:
        raise _fail(path, "„name“ fehlt (Anzeigename, z. B. Stadt Musterstadt).")
    group = data.get("gruppe", f"mandant-{key}")
    group = _text(group, [*path, "gruppe"], GROUP_NAME, "Buchstaben, Ziffern, Punkt, Bindestrich")
    branding = None
    if "branding" in data:
        branding = _file(base, data["branding"], [*path, "branding"])
        from ..server.branding import load_branding

        try:
            load_branding(branding)
        except BrandingError as exc:
            raise _fail([*path, "branding"], str(exc)) from None
    labs_value = data.get("labs", "alle")
    labs: list[str] | None
    if labs_value == "alle":
        labs = None
    elif isinstance(labs_value, list) and labs_value:
        labs = [_text(v, [*path, "labs", str(i + 1)]) for i, v in enumerate(labs_value)]
        for slug in labs:
            if slug not in known_labs:
                raise _fail(
                    [*path, "labs"],
                    f"Lab „{slug}“ gibt es nicht. Vorhandene Labs: {', '.join(sorted(known_labs))}.",
                )
    else:
        raise _fail([*path, "labs"], "erwartet wird „alle“ oder eine Liste von Lab-Namen.")
    return Tenant(
        key=key,
        name=_text(data["name"], [*path, "name"]),
        group=group,
        branding=branding,
        labs=labs,
        own_labs=_lab_sources(data.get("eigene_labs"), [*path, "eigene_labs"], base),
        users=_names(data.get("benutzer"), [*path, "benutzer"]),
        resources=_resources(data.get("ressourcen"), [*path, "ressourcen"], platform.resources),
    )


def load_tenants(path: Path | str, labs_root: Path | None = None) -> Platform:
    """Read and validate the tenant file at ``path``.

    ``labs_root`` is the installation's labs folder (default ``paths.labs_dir()``);
    lab names in ``labs:`` must exist there. Raises :class:`TenantFileError` with a
    German message naming the key path for every problem; nothing is started before.
    """
    import yaml

    from ..catalog import discover
    from ..paths import labs_dir

    path = Path(path).expanduser().resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TenantFileError(f"Die Mandanten-Datei „{path}“ gibt es nicht.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TenantFileError(
            f"Die Mandanten-Datei „{path}“ lässt sich nicht lesen ({type(exc).__name__})."
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" in Zeile {mark.line + 1}" if mark is not None else ""
        raise TenantFileError(
            f"Die Mandanten-Datei „{path}“ ist kein gültiges YAML{line}."
        ) from None
    root = _mapping(data, ["(Datei)"], {"version", "plattform", "mandanten"})
    if root.get("version") != FORMAT_VERSION:
        raise _fail(["version"], f"erwartet wird „version: {FORMAT_VERSION}“.")
    base = path.parent
    settings = _mapping(root.get("plattform"), ["plattform"], PLATFORM_KEYS)
    where = ["plattform"]
    platform = Platform(path=path)
    if "titel" in settings:
        platform.title = _text(settings["titel"], [*where, "titel"])
    if "admin_gruppe" in settings:
        platform.admin_group = _text(
            settings["admin_gruppe"], [*where, "admin_gruppe"], GROUP_NAME, "Gruppenname"
        )
    platform.admins = _names(settings.get("admins"), [*where, "admins"])
    if "arbeitsbereiche" in settings:
        platform.workspaces = (
            base / _text(settings["arbeitsbereiche"], [*where, "arbeitsbereiche"])
        ).resolve()
    if "systembenutzer_praefix" in settings:
        prefix = settings["systembenutzer_praefix"]
        platform.user_prefix = _text(
            prefix,
            [*where, "systembenutzer_praefix"],
            re.compile(r"[a-z][a-z0-9-]{0,7}"),
            "Kleinbuchstabe, dann bis zu 7 Kleinbuchstaben, Ziffern oder Bindestriche",
        )
    if "leerlauf_minuten" in settings:
        platform.idle_minutes = _number(
            settings["leerlauf_minuten"], [*where, "leerlauf_minuten"], 1, 7 * 24 * 60
        )
    if "hoechstdauer_stunden" in settings:
        platform.max_age_hours = _number(
            settings["hoechstdauer_stunden"], [*where, "hoechstdauer_stunden"], 0, 24 * 365
        )
    platform.resources = _resources(settings.get("ressourcen"), [*where, "ressourcen"], Resources())

    tenants = root.get("mandanten")
    if not isinstance(tenants, dict) or not tenants:
        raise _fail(["mandanten"], "mindestens ein Mandant wird gebraucht.")
    known_labs = {lab.slug for lab in discover(labs_root or labs_dir())}
    seen_users: dict[str, str] = {}
    seen_groups = {platform.admin_group: "plattform → admin_gruppe"}
    for key, value in tenants.items():
        tenant = _tenant(str(key), value, base, platform, known_labs)
        if tenant.group in seen_groups:
            raise _fail(
                ["mandanten", tenant.key, "gruppe"],
                f"die Gruppe „{tenant.group}“ ist schon bei {seen_groups[tenant.group]} vergeben.",
            )
        seen_groups[tenant.group] = f"mandanten → {tenant.key}"
        for user in tenant.users:
            if user in seen_users:
                raise _fail(
                    ["mandanten", tenant.key, "benutzer"],
                    f"„{user}“ gehört schon zu Mandant „{seen_users[user]}“; jede Person "
                    "gehört zu höchstens einem Mandanten.",
                )
            seen_users[user] = tenant.key
        platform.tenants[tenant.key] = tenant
    return platform
