"""A person's workspace on the platform: own copies of the tenant's labs, own run history.

Runs as the person's system user, in the single-user server before JupyterLab starts
(:mod:`.singleuser`). Layout of the home folder::

    Willkommen.md            start page (lab gallery of the tenant), opened by JupyterLab
    labs/<slug>/             own copy of each lab, copied once on first start
    runs/                    results and history of ``datenlabor run``
    Aktualisierungen/<slug>/ a newer version of a lab, offered beside the own copy
    .datenlabor/labs.json    fingerprint of each original when it was copied or offered

The originals are never written. A copy is made only for labs never copied before, so a
lab the person deleted stays deleted; a changed original is offered, never forced.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from ..catalog import discover

MANIFEST = Path(".datenlabor") / "labs.json"
WELCOME = "Willkommen.md"
UPDATES = "Aktualisierungen"


def fingerprint(folder: Path) -> str:
    """SHA-256 over the relative paths and bytes of all files below ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _private_copy(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.kopie")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp, copy_function=shutil.copyfile)
    for path in [tmp, *tmp.rglob("*")]:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
    tmp.rename(target)


def init_workspace(home: Path, originals: Path) -> dict[str, list[str]]:
    """Copy new labs from ``originals`` into ``home/labs`` and offer changed ones.

    Returns ``{"kopiert": [...], "angeboten": [...]}`` (lab slugs). Idempotent.
    """
    manifest_path = home / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    (home / "labs").mkdir(mode=0o700, exist_ok=True)
    (home / "runs").mkdir(mode=0o700, exist_ok=True)
    copied, offered = [], []
    for lab in discover(originals) if originals.is_dir() else []:
        current = fingerprint(lab.folder)
        known = manifest.get(lab.slug)
        own = home / "labs" / lab.slug
        if known is None:
            if not own.exists():
                _private_copy(lab.folder, own)
                copied.append(lab.slug)
            manifest[lab.slug] = current
        elif known != current:
            target = home / UPDATES / lab.slug
            target.parent.mkdir(mode=0o700, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            _private_copy(lab.folder, target)
            offered.append(lab.slug)
            manifest[lab.slug] = current
    manifest_path.parent.mkdir(mode=0o700, exist_ok=True)
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(manifest_path)
    return {"kopiert": copied, "angeboten": offered}


def welcome_text(home: Path, tenant_name: str, platform_title: str, prefix: str) -> str:
    """The start page in Markdown: the person's labs with links to notebook and app preview."""
    lines = [f"# {platform_title} – {tenant_name}".rstrip(" –"), ""]
    lines += [
        "Willkommen in Ihrem persönlichen Arbeitsbereich. Hier liegen Ihre eigenen Kopien der "
        "Labs: Änderungen und Läufe bleiben bei Ihnen, die Originale bleiben unverändert.",
        "",
        "## Ihre Labs",
        "",
    ]
    labs = discover(home / "labs") if (home / "labs").is_dir() else []
    for lab in labs:
        notebook = f"labs/{lab.slug}/{lab.slug}.ipynb"
        preview = f"{prefix}voila/render/{notebook}"
        lines.append(
            f"- **[{lab.title}]({notebook})** – {lab.summary} ([als App ansehen]({preview}))"
        )
    if not labs:
        lines.append("Noch keine Labs vorhanden.")
    updates = sorted(p.name for p in (home / UPDATES).glob("*") if p.is_dir())
    if updates:
        lines += [
            "",
            "## Neue Fassungen",
            "",
            f"Für diese Labs gibt es eine neue Fassung im Ordner `{UPDATES}/`. Ihre eigene "
            "Fassung unter `labs/` bleibt, wie sie ist; übernehmen Sie, was Sie brauchen.",
            "",
            *[f"- `{UPDATES}/{slug}/`" for slug in updates],
        ]
    lines += [
        "",
        "## Weitere Möglichkeiten",
        "",
        "- Ein Lab mit eigenen Werten ausführen: im Terminal `datenlabor run LAB`; "
        "die Historie zeigt `datenlabor runs` (beides in Ihrem Arbeitsbereich unter `runs/`).",
        "- Ein Lab als App mit Ihrem Mandanten teilen: in der Hub-Übersicht (Datei → Hub "
        "Control Panel) einen benannten Server `app-LAB` starten; er zeigt nur die App.",
        "",
    ]
    return "\n".join(lines)


def write_welcome(home: Path, text: str) -> None:
    """Write the start page atomically (the person's own edits of it are replaced)."""
    path = home / WELCOME
    tmp = path.with_name(f".{WELCOME}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
