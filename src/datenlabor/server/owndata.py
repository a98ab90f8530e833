"""``datenlabor serve --daten LAB=DATEI``: an app on a file the operator chose.

Visitors of the public server can never hand own data to an analysis lab. For an
internal workshop (staff of one administration looking at their own statistics) the
person who starts the server may name one file per lab. Before the server starts,
each pair is checked like ``datenlabor run`` checks it (lab, file, columns, values);
then the labs are copied into a private folder and the chosen labs' notebooks get a
hidden cell after their parameters cell that sets the own-data parameter (as
papermill injects parameters). The originals in labs/ are never changed. Every
visitor of such a lab sees the analysis of that file.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import DatenlaborError, ServerOptionError

INJECTED_TAG = "injected-parameters"
"""papermill's tag for a cell with injected parameters; ``nur-notebook`` hides it in the app."""


def parse_entries(entries: list[str]) -> dict[str, Path]:
    """``["LAB=DATEI", …]`` → ``{slug: absolute path}``; German ``ServerOptionError`` on bad input."""
    chosen: dict[str, Path] = {}
    for entry in entries:
        slug, sep, path = str(entry).partition("=")
        slug, path = slug.strip(), path.strip()
        if not sep or not slug or not path:
            raise ServerOptionError(
                f"--daten „{entry}“: bitte als LAB=DATEI angeben, z. B. "
                "--daten stadtteile-vergleichen=statistik.csv."
            )
        if slug in chosen:
            raise ServerOptionError(f"--daten: Für das Lab „{slug}“ ist schon eine Datei genannt.")
        chosen[slug] = Path(path).expanduser().resolve()
    return chosen


def check_entries(chosen: dict[str, Path]) -> dict[str, tuple[str, str]]:
    """Check every pair like ``datenlabor run`` does; ``{slug: (parameter, path)}``.

    Raises ``ServerOptionError`` (German) for an unknown lab, a lab without own data, a
    missing or unreadable file, or a file that does not fit the lab.
    """
    from ..catalog import get_lab
    from ..owndata import own_data_parameter
    from ..running import prepare

    checked: dict[str, tuple[str, str]] = {}
    for slug, path in chosen.items():
        try:
            lab = get_lab(slug)
            if not any(p.kind == "csv" for p in lab.parameters.values()):
                raise ServerOptionError(
                    "--daten gibt es nur für Labs mit einer eigenen Tabelle (Parameter „daten“). "
                    "Eigene Dateien anderer Art nimmt das Lab in JupyterLab (datenlabor lab)."
                )
            name = own_data_parameter(lab)
            if not path.is_file():
                raise ServerOptionError(f"Die Datei „{path}“ gibt es nicht.")
            prepare(lab, {name: str(path)})
        except DatenlaborError as exc:
            raise ServerOptionError(f"--daten {slug}={path.name}: {exc}") from None
        checked[slug] = (name, str(path))
    return checked


def injected_cell(values: dict[str, Any]) -> dict[str, Any]:
    """A code cell that sets ``values`` (Python literals), hidden in the app."""
    source = "# Vom Server gesetzt (datenlabor serve --daten)\n" + "".join(
        f"{name} = {value!r}\n" for name, value in values.items()
    )
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": "datenlabor-eigene-daten",
        "metadata": {"tags": [INJECTED_TAG, "nur-notebook"]},
        "outputs": [],
        "source": source,
    }


def inject(notebook: Path, values: dict[str, Any]) -> None:
    """Insert ``injected_cell(values)`` right after the parameters cell of ``notebook``."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = nb["cells"]
    where = next(
        (
            i
            for i, c in enumerate(cells)
            if "parameters" in (c.get("metadata", {}).get("tags") or [])
        ),
        None,
    )
    if where is None:
        raise ServerOptionError(f"„{notebook.name}“ hat keine Parameterzelle.")
    cells.insert(where + 1, injected_cell(values))
    notebook.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def prepare_labs(entries: list[str]) -> Path | None:
    """Check ``entries`` and serve the labs from a private copy with the files set.

    Sets ``DATENLABOR_LABS`` to the copy (removed when the server ends) and returns it;
    None without entries. Raises ``ServerOptionError`` before anything is copied.
    """
    from ..catalog import get_lab
    from ..paths import labs_dir

    if not entries:
        return None
    checked = check_entries(parse_entries(entries))
    folder = Path(tempfile.mkdtemp(prefix="datenlabor-eigene-daten-"))  # 0700: this user only
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    copy = folder / "labs"
    shutil.copytree(labs_dir(), copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for slug, (name, path) in checked.items():
        notebook = copy / get_lab(slug).notebook.relative_to(labs_dir())
        inject(notebook, {name: path})
    os.environ["DATENLABOR_LABS"] = str(copy)
    return copy


def banner_lines(entries: list[str]) -> list[str]:
    """German lines for the start banner: which lab shows which file to every visitor."""
    return [
        f"Eigene Daten: „{slug}“ zeigt allen Besuchenden die Auswertung von „{path.name}“ "
        "(nur für interne Workshops)."
        for slug, path in parse_entries(entries).items()
    ]
