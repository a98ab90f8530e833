"""`datenlabor check`: passes on the repository, fails on broken fixture labs."""

from __future__ import annotations

from datenlabor.checking import check_all, check_notebook
from datenlabor.cli import main
from tests.helpers import fixture_path


def test_check_passes_on_the_repository(capsys):
    assert main(["check"]) == 0
    assert "Alles in Ordnung" in capsys.readouterr().out


def test_check_fails_on_outputs_and_missing_parameters_cell(capsys):
    assert main(["check", "--labs", str(fixture_path("labs-kaputt"))]) == 1
    out = capsys.readouterr().out
    assert "[mit-ausgaben] mit-ausgaben.ipynb: Zellen 3 enthalten Ausgaben" in out
    assert "[ohne-parameter] ohne-parameter.ipynb: Keine Zelle mit dem Tag „parameters“" in out


def test_check_fails_on_a_raw_pandas_table_in_the_app(capsys, monkeypatch):
    """roh-ausgabe is clean except for one cell that shows a DataFrame as pandas prints it."""
    monkeypatch.setenv("DATENLABOR_DATASETS", str(fixture_path("datasets")))
    from datenlabor import datasets

    datasets._descriptor.cache_clear()
    try:
        problems = check_all(fixture_path("labs-kaputt"))
    finally:
        datasets._descriptor.cache_clear()
    raw = [p for p in problems if p.startswith("[roh-ausgabe]")]
    # the nur-notebook cell (teil.dtypes) and datenlabor.table(teil) are fine
    assert raw == [
        "[roh-ausgabe] roh-ausgabe.ipynb: Zelle 8 zeigt „teil“ in der App ungeformt (True/False, "
        "NaN, dtype); für Menschen formatieren oder die Zelle mit „nur-notebook“ markieren."
    ]
    assert main(["check", "--labs", str(fixture_path("labs-kaputt"))]) == 1
    assert "Zelle 8 zeigt „teil“" in capsys.readouterr().out


def test_check_reports_parameter_lines_papermill_cannot_read(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "datenlabor", "display_name": "x", "language": "python"}
    cell = nbformat.v4.new_code_cell('a: int = 1  # Anzahl (Vorgabe = 1)\nb = 2\nc: str = "x"')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    problems = "\n".join(check_notebook(path))
    assert "Zeile 1: Der Hilfetext darf kein „=“ enthalten" in problems
    assert "Zeile 2 „b = 2“ hat nicht die Form" in problems
    assert 'Zeile 3 „c: str = "x"“ hat nicht die Form' in problems


def test_check_reports_metadata_inconsistent_with_notebook(tmp_path, mini_lab):
    import shutil

    lab = tmp_path / "mini"
    shutil.copytree(fixture_path("labs", "mini"), lab)
    meta = (lab / "lab.yaml").read_text(encoding="utf-8")
    meta = meta.replace("audience: Verwaltung", "audience: alle").replace(
        "ci_parameters: {anzahl: 2}", "ci_parameters: {anzahl: 99}"
    )
    (lab / "lab.yaml").write_text(
        meta.replace(
            "  absturz: {label: Absturz}", "  absturz: {label: Absturz}\n  farbe: {label: Farbe}"
        ),
        encoding="utf-8",
    )
    problems = "\n".join(check_all(tmp_path))
    assert "audience „alle“" in problems
    assert "ci_parameters: Parameter „anzahl“: Der Wert „99“" in problems
    assert "Regel für „farbe“, aber die Parameterzelle hat keinen solchen Parameter" in problems


def test_check_flags_app_outputs_with_programming_words(tmp_path):
    """A bare pandas expression in a cell the app shows would print True/False/NaN/dtype."""
    import nbformat

    from datenlabor.checking import check_app_outputs, raw_words

    nb = nbformat.v4.new_notebook()
    hidden = nbformat.v4.new_code_cell("df.head()")
    hidden.metadata["tags"] = ["nur-notebook"]
    nb.cells = [
        nbformat.v4.new_code_cell("df.head()"),
        nbformat.v4.new_code_cell("x = 1\ndf.dtypes"),
        hidden,
        nbformat.v4.new_code_cell("tabelle(df)"),
        nbformat.v4.new_code_cell("plotting.show(fig, alt='x')"),
        nbformat.v4.new_code_cell("display(HTML(df.to_html()))"),
        nbformat.v4.new_code_cell("df.head();"),
        nbformat.v4.new_code_cell("df.style.format(prozent, na_rep='–')"),
        nbformat.v4.new_code_cell("datenlabor.table(df, digits=2)"),
    ]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    problems = check_app_outputs(path)
    assert [p.split(" zeigt")[0] for p in problems] == ["x.ipynb: Zelle 1", "x.ipynb: Zelle 2"]
    assert "„df.dtypes“" in problems[1] and "nur-notebook" in problems[1]
    assert raw_words("a True b <NA> dtype: int64 Finanzen nan") == ["<NA>", "True", "dtype", "nan"]


def test_check_wants_the_lab_named_once_and_matching_its_folder(tmp_path, mini_lab):
    import shutil

    from datenlabor.catalog import get_lab
    from datenlabor.checking import check_app_calls

    assert check_app_calls(mini_lab) == []
    lab = tmp_path / "mini"
    shutil.copytree(fixture_path("labs", "mini"), lab)
    notebook = lab / "mini.ipynb"
    original = notebook.read_text(encoding="utf-8")
    cases = {
        'app.lab(\\"anders\\")': 'app.lab("anders") passt nicht zum Ordner, erwartet app.lab("mini")',
        "": 'app.interact braucht vorher app.lab("mini")',
        'app.lab(\\"mini\\")\\napp.lab(\\"mini\\")': "app.lab(...) steht 2-mal im Notebook",
    }
    for replacement, message in cases.items():
        notebook.write_text(original.replace('app.lab(\\"mini\\")', replacement), encoding="utf-8")
        assert any(message in p for p in check_app_calls(get_lab("mini", tmp_path))), replacement


def test_check_flags_printed_python_lists_and_dicts(tmp_path):
    """print()/display() of a list, dict, tuple or bytes shows Python's repr to citizens."""
    import nbformat

    from datenlabor.checking import check_app_outputs

    definitions = (
        "def saetze_von(text):\n"
        "    saetze = []\n"
        "    for s in text.split('.'):\n"
        "        saetze.append(s)\n"
        "    return saetze\n"
        "def in_saetze(text):\n"
        "    saetze, satz = [], []\n"
        "    for w in text.split():\n"
        "        satz.append(w)\n"
        "    saetze.append(satz)\n"
        "    return saetze\n"
        "def satz(n):\n"
        "    return f'{n} Sätze'\n"
        "korpus = [s for t in texte for s in in_saetze(t)]\n"
        "namen = ', '.join(sorted(woerter))\n"
        "spalten = ['a', 'b']\n"
        "spalten = df.columns\n"
    )
    hidden = nbformat.v4.new_code_cell("print(sorted(woerter))")
    hidden.metadata["tags"] = ["nur-notebook"]
    flagged = [
        "print(saetze_von('A. B.'))",
        "print({w: len(w) for w in woerter})",
        "print('Beispiel:', korpus[1])",
        "print(f'{spalte}: {sorted(werte.unique())}')",
        "print(datei.read_bytes()[:160])",
        "def zeige(x):\n    display(x.split())",
    ]
    fine = [
        "print(satz(3))",
        "print('Namen:', namen)",
        "print(', '.join(saetze_von('A. B.')))",
        "print('Spalten:', spalten)",  # also bound to something unknown
        "print(korpus[1][0])",  # one word of a sentence
        "def zeige(korpus):\n    print(korpus)",  # a parameter shadows the list
        "print(f'{len(korpus)} Sätze, {plotting.number(1.5, 1)}')",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(definitions), hidden]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in flagged + fine]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    problems = check_app_outputs(path)
    cells = [int(p.split("Zelle ")[1].split(" ")[0]) for p in problems]
    assert cells == [3, 4, 5, 6, 7, 8], problems
    assert "„print('Beispiel:', korpus[1])“ Python-Schreibweise" in problems[2]
    assert "datenlabor.table" in problems[0] and "nur-notebook" in problems[0]


def test_check_flags_a_table_that_is_not_the_last_line(tmp_path):
    import nbformat

    from datenlabor.checking import check_app_outputs

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("datenlabor.table(df)\ndatenlabor.record('n', 1)"),
        nbformat.v4.new_code_cell("display(datenlabor.table(df))\ndatenlabor.record('n', 1)"),
        nbformat.v4.new_code_cell("x = 1\ndatenlabor.table(df)"),
    ]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    problems = check_app_outputs(path)
    assert (
        len(problems) == 1 and "Zelle 1: „datenlabor.table(…)“ steht nicht am Ende" in problems[0]
    )


def test_known_reprs_are_allowed_only_verbatim(tmp_path, monkeypatch):
    import nbformat

    from datenlabor import checking

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("print(sorted(a))"),
        nbformat.v4.new_code_cell("print(sorted(b))"),
    ]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setattr(checking, "REPR_ALLOWED", {"x.ipynb": {"print(sorted(a))"}})
    problems = checking.check_app_outputs(path)
    assert len(problems) == 1 and "Zelle 2" in problems[0]


def test_executed_reprs_reads_what_a_run_showed(tmp_path):
    """The run-time counterpart (used by the default-parameter run of every lab, no extra kernel)."""
    import nbformat

    from datenlabor.checking import executed_reprs

    def cell(source, *outputs, tags=()):
        c = nbformat.v4.new_code_cell(source)
        c.outputs = list(outputs)
        c.metadata["tags"] = list(tags)
        return c

    stream = nbformat.v4.new_output
    widget = {"application/vnd.jupyter.widget-view+json": {"model_id": "1"}}
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell("print(x)", stream("stream", name="stdout", text="Beispiel: ['Gegenstand', 'der']\n")),
        cell("zeige()", stream("display_data", data={"text/html": "<td>[&#x27;a&#x27;, 1]</td>"})),
        cell("print(satz)", stream("stream", name="stdout", text="Gebühr (je Tonne): 37 €\n")),
        cell(
            "app.interact(f)",
            stream("display_data", data={**widget, "text/plain": "VBox(children=('x',))"}),
        ),
        cell(
            "print(b)",
            stream("stream", name="stdout", text="b'Jahr;Pl\\xe4tze'"),
            tags=["nur-notebook"],
        ),
        cell("print(d)", stream("stream", name="stdout", text="{'zahlen': 5.15}\n")),
        cell(
            "s",
            stream("display_data", data={"text/html": "<style>td {x: 'a'}</style><p>„a“ (b)</p>"}),
        ),
    ]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    shown = executed_reprs(path)
    assert [s.split(":")[0] for s in shown] == ["Zelle 1", "Zelle 2", "Zelle 6"], shown
    assert "['Gegenstand', 'der']" in shown[0] and "['a', 1]" in shown[1]
