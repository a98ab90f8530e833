"""Charts readable on a phone: the narrow layout of plotting.show and its text-overlap check.

The figures below are built like the lab charts that overlapped at 320 px
(daten-erkunden "Geburten" side by side, fair-entscheiden "Auswahlquote" /
"Trefferquote", a long title, a legend beside the chart, labelled points).
Everything runs in matplotlib's Agg backend: no kernel, no browser.
"""

from __future__ import annotations

import base64
import io

import matplotlib
import matplotlib.patches
import numpy as np
import pytest

matplotlib.use("Agg")

from datenlabor import plotting  # noqa: E402

DISTRICTS = [
    "Hafenviertel",
    "Bahnhofsviertel",
    "Weststadt",
    "Altstadt",
    "Mühlbach",
    "Neustadt",
    "Sankt Georg",
    "Rosenau",
    "Lindenhof",
    "Eichwald",
    "Feldrand",
    "Am Sonnenhang",
]


def percent(x: float) -> str:
    return f"{plotting.number(100 * x, 0)} %"


def births():
    fig, (left, right) = plotting.figure(1, 2, figsize=(10, 4.5), sharey=True)
    rng = np.random.default_rng(3)
    left.barh(DISTRICTS, rng.integers(40, 400, len(DISTRICTS)))
    left.set_title("Geburten (Anzahl)")
    right.barh(DISTRICTS, rng.uniform(5, 14, len(DISTRICTS)), color=plotting.PALETTE[2])
    right.set_title("Geburten je 1.000 Einwohner")
    return fig


def rates_by_group():
    fig, ax = plotting.figure()
    x = np.arange(2)
    for i, (group, values) in enumerate(
        [("Erstsprache Deutsch", [0.52, 0.87]), ("Andere Erstsprache", [0.28, 0.52])]
    ):
        bars = ax.bar(x + (i - 0.5) * 0.38, values, 0.38, label=group, hatch=["", "//"][i])
        ax.bar_label(bars, labels=[percent(v) for v in values], padding=2)
    ax.set_xticks(x, ["Auswahlquote", "Trefferquote bei Förderfähigen"])
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(lambda v, _: percent(v))
    ax.set_title("Vorschläge des Modells je Gruppe (Prüfteil)")
    ax.legend(loc="upper left", ncols=2, frameon=False)
    return fig


def long_title_and_bar_labels():
    fig, ax = plotting.figure()
    y = np.arange(4)
    data = {
        "Unterschied Auswahlquoten": [0.24, 0.12, 0.06, 0.01],
        "Genauigkeit": [0.86, 0.83, 0.83, 0.82],
    }
    for i, (name, values) in enumerate(data.items()):
        bars = ax.barh(y + (i - 0.5) * 0.38, values, 0.38, label=name)
        ax.bar_label(bars, labels=[percent(v) for v in values], padding=2)
    ax.set_yticks(y, ["mit Erstsprache", "ohne Erstsprache", "Umgewichtung", "getrennte Schwellen"])
    ax.set_xlim(0, 1.1)
    ax.xaxis.set_major_formatter(lambda v, _: percent(v))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, frameon=False)
    ax.set_title("Weniger Unterschied kostet etwas Übereinstimmung mit den alten Entscheidungen")
    return fig


def lines_with_legend_beside():
    fig, ax = plotting.figure()
    years = np.arange(2015, 2025)
    ax.plot(years, 5 + np.sin(years), linestyle="--", label="Median aller Stadtteile")
    for i, name in enumerate(DISTRICTS[:3]):
        ax.plot(years, 3 + i + np.cos(years + i), marker="o", label=name)
    ax.annotate("neue Zählweise", (2020.6, 0.02), xycoords=("data", "axes fraction"), fontsize=9)
    ax.set_title("Arbeitslosenquote: Entwicklung")
    ax.set_ylabel("%")
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


def labelled_points():
    fig, ax = plotting.figure()
    x = [31, 32, 35, 40, 40.2, 42, 47, 51, 53, 56, 59, 45]
    y = [11.5, 10.2, 8.6, 6.6, 6.4, 5.4, 4.5, 3.7, 3.3, 3.2, 2.9, 2.8]
    ax.scatter(x, y)
    plotting.label_points(ax, x, y, DISTRICTS)
    ax.set_xlabel("Wohnfläche je Einwohner (m²)")
    ax.set_ylabel("Arbeitslosenquote (%)")
    ax.set_title("Zusammenhang 2024 – keine Ursache")
    return fig


def long_row_names():
    """daten-schuetzen "Was die Anonymisierung kostet": long names of horizontal bars."""
    fig, ax = plotting.figure(figsize=(7.5, 3.4))
    names = ["Alter vergröbert", "Postleitzahl gekürzt", "Datensätze weggelassen",
             "Gruppen mit nur einer Leistung"]  # fmt: skip
    bars = ax.barh(names, [1.0, 0.5, 0.01, 0.02])
    ax.bar_label(bars, labels=["Stufe 3 von 3", "", "1,0 %", "2 %"], padding=3)
    ax.set_xlim(0, 1.6)
    ax.set_title("Was die Anonymisierung kostet (Anteil am Höchstwert)")
    return fig


def district_map():
    """orte-und-wege: a map of 12 districts with name and value in each (area_labels)."""
    fig, ax = plotting.figure(figsize=(7.5, 7.2))
    xs, ys = np.meshgrid(np.arange(4), np.arange(3))
    ax.scatter(xs.ravel(), ys.ravel(), s=4000, marker="s", color=plotting.PALETTE[4])
    plotting.area_labels(
        ax, xs.ravel(), ys.ravel(), [f"{n}\n{10 + i} %" for i, n in enumerate(DISTRICTS)]
    )
    ax.legend(
        handles=[matplotlib.patches.Patch(color=plotting.PALETTE[4], label="bis 21 %")],
        title="Anteil der Kinder mit Kita in höchstens 500 m Fußweg (Quantile)",
        loc="upper center", bbox_to_anchor=(0.5, -0.02), frameon=False,
    )  # fmt: skip
    ax.set_xlim(-0.5, 3.5)
    ax.set_ylim(-0.5, 2.5)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title("Erreichbarkeit: Kita zu Fuß in höchstens 500 m")
    return fig


CHARTS = [
    long_row_names,
    district_map,
    births,
    rates_by_group,
    long_title_and_bar_labels,
    lines_with_legend_beside,
    labelled_points,
]


def _picture_width(fig) -> int:
    from PIL import Image

    return Image.open(io.BytesIO(base64.b64decode(plotting._png(fig)))).width


@pytest.mark.parametrize("make", CHARTS, ids=lambda f: f.__name__)
def test_narrow_layout_has_no_overlapping_or_small_or_cut_text(make):
    fig = make()
    plotting._readable(fig)
    assert plotting.layout_problems(fig, inside=False) == []
    plotting.narrow_layout(fig)
    assert plotting.layout_problems(fig) == []
    # shown at its own size in the 256 px content box of a 320 px screen, never shrunk
    assert _picture_width(fig) <= 256
    matplotlib.pyplot.close(fig)


def test_map_areas_are_numbered_on_the_phone_with_a_key_below():
    fig = district_map()
    plotting.narrow_layout(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax._datenlabor_area_labels][:2] == ["1", "2"]
    key = [" ".join(t.get_text().split()) for t in fig.legends[0].get_texts()]
    assert "1 Hafenviertel 10 %" in key and "12 Am Sonnenhang 21 %" in key
    # the map is as tall as its shape needs, not as the wide figure was
    assert fig.get_size_inches()[1] < 7
    matplotlib.pyplot.close(fig)


def test_side_by_side_panels_are_stacked():
    fig = births()
    plotting.narrow_layout(fig)
    top, bottom = fig.axes
    renderer = plotting._renderer(fig)
    a, b = top.get_window_extent(renderer), bottom.get_window_extent(renderer)
    assert a.y0 > b.y1  # one below the other
    assert all(t.get_visible() for t in bottom.get_yticklabels())  # names on both panels
    matplotlib.pyplot.close(fig)


def test_the_check_finds_what_a_plain_shrink_does():
    """The old phone version (same figure, just narrower) is caught by the check."""
    fig = rates_by_group()
    fig.set_size_inches(plotting.NARROW_INCHES, 4.2)
    problems = plotting.layout_problems(fig)
    assert any("'Auswahlquote' and 'Trefferquote bei Förderfähigen' overlap" in p for p in problems)
    small = plotting.figure()[0]
    small.axes[0].set_title("klein", fontsize=7)
    assert any("px high" in p for p in plotting.layout_problems(small))
    matplotlib.pyplot.close("all")


def test_show_sends_a_phone_picture_and_keeps_pictures_for_the_check(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    monkeypatch.setenv(plotting.CHECK_FOLDER, str(tmp_path))
    plotting.show(rates_by_group(), alt="Balkendiagramm")
    html = shown[0].data
    assert f'<source media="{plotting.NARROW_SCREEN}"' in html and 'alt="Balkendiagramm"' in html
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["01-breit.png", "01-schmal.png"]
    assert not (tmp_path / "probleme.txt").exists()
    fig = plotting.figure()[0]
    fig.axes[0].set_xticks([0, 0.01], ["lange Beschriftung", "noch eine lange"])
    plotting.show(fig, alt="x")
    assert "overlap" in (tmp_path / "probleme.txt").read_text(encoding="utf-8")


def test_a_chart_that_cannot_be_laid_out_narrow_keeps_only_the_wide_picture(monkeypatch):
    """A label far too long for a phone: no squeezed phone picture, and no warning text."""
    import warnings

    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    fig = plotting.figure()[0]
    # one word: cannot be wrapped (row names with spaces are)
    fig.axes[0].barh(["Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenträger"], [1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plotting.show(fig, alt="Balken")
    assert "<source" not in shown[0].data and "<img" in shown[0].data
    assert not caught, [str(w.message) for w in caught]
