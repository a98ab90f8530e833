"""One plotting style for every lab: colour-blind-safe colours and a text alternative.

Plots are shown as images with alt text, so screen-reader users get the
statement of the plot too (BITV 2.0 / WCAG 1.1.1).
"""

from __future__ import annotations

import base64
import html
import io
import os
import textwrap
from pathlib import Path
from typing import Any

from .formatting import number as number  # labs write plotting.number(x, 1) in texts

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Dark enough for text on white (contrast >= 4.5:1) where a colour is used for text.
TEXT_BLUE = "#005A8C"


def use_style() -> None:
    """Set matplotlib defaults for all labs: palette, readable sizes, no chart junk."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "figure.figsize": (7.5, 4.2),
            "figure.dpi": 100,
            "font.size": 11,
            "axes.titlesize": 13,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.formatter.use_locale": False,
            "svg.fonttype": "none",
        }
    )


def figure(*args: Any, **kwargs: Any):
    """A new figure in the lab style (``plt.subplots`` arguments)."""
    import matplotlib.pyplot as plt

    use_style()
    return plt.subplots(*args, **kwargs)


NARROW_PX = 245
"""Width of the phone rendering of a figure in pixels (at 100 dpi): the content box of a
320 px wide screen is 256–266 px, so the picture is shown at its own size, never shrunk."""
NARROW_INCHES = NARROW_PX / 100
NARROW_SCREEN = "(max-width: 40em)"
MIN_TEXT_PX = 12
"""Smallest text on a chart in pixels (issue 12: readable at 320 px)."""
_MIN_TEXT_PT = 9.0  # 12.5 px at 100 dpi
_TITLE_PT = 12.0


_LABEL_SPOTS = [  # offset (points) and alignment of a point label, tried in this order
    ((5, 3), "left", "bottom"),
    ((5, -3), "left", "top"),
    ((-5, 3), "right", "bottom"),
    ((-5, -3), "right", "top"),
    ((0, 7), "center", "bottom"),
    ((0, -7), "center", "top"),
]


def label_points(ax: Any, xs: Any, ys: Any, labels: Any, **kwargs: Any) -> list[Any]:
    """Write ``labels[i]`` next to the point (``xs[i]``, ``ys[i]``) of ``ax`` without overlaps.

    Each label takes the first of six places around its point (right above,
    right below, left above, left below, above, below) where it touches no
    label placed before and stays inside the axes; if there is none, the place
    with the least overlap. :func:`show` places the labels again for the
    phone version. ``kwargs`` go to ``ax.annotate`` (default 9 pt).
    Returns the annotations.
    """
    kwargs.setdefault("fontsize", _MIN_TEXT_PT)
    texts = [
        ax.annotate(str(label), (x, y), xytext=(5, 3), textcoords="offset points", **kwargs)
        for x, y, label in zip(xs, ys, labels, strict=True)
    ]
    ax._datenlabor_point_labels = texts
    _place_labels(ax, _renderer(ax.figure))
    return texts


def area_labels(ax: Any, xs: Any, ys: Any, labels: Any, **kwargs: Any) -> list[Any]:
    """Write ``labels[i]`` centred at (``xs[i]``, ``ys[i]``), e.g. names of map areas.

    On a phone there is no room for names inside small areas: the phone version
    (:func:`narrow_layout`) writes the number ``i + 1`` there instead and lists
    "number label" as a key below the chart (in the legend). ``kwargs`` go to
    ``ax.annotate`` (default 9 pt, centred, on a white box). Returns the annotations.
    """
    kwargs.setdefault("fontsize", _MIN_TEXT_PT)
    kwargs.setdefault("ha", "center")
    kwargs.setdefault("va", "center")
    kwargs.setdefault("zorder", 6)
    kwargs.setdefault(
        "bbox", {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8}
    )
    texts = [
        ax.annotate(str(label), (x, y), **kwargs)
        for x, y, label in zip(xs, ys, labels, strict=True)
    ]
    ax._datenlabor_area_labels = texts
    return texts


def _number_areas(ax: Any) -> list[str]:
    """Phone version of :func:`area_labels`: numbers in the areas; returns the key lines."""
    key = []
    for nr, text in enumerate(getattr(ax, "_datenlabor_area_labels", []), start=1):
        key.append(f"{nr} {' '.join(text.get_text().split())}")
        text.set_text(str(nr))
    return key


def _place_labels(ax: Any, renderer: Any) -> None:
    """Choose the place of every point label of ``ax`` (see :func:`label_points`)."""
    from matplotlib.transforms import Bbox

    texts = getattr(ax, "_datenlabor_point_labels", [])
    if not texts:
        return
    ax.get_xlim(), ax.get_ylim()  # apply pending autoscaling before measuring
    area = ax.figure.bbox.padded(-2)
    fixed = [  # the axes' other texts, as drawn
        t.get_window_extent(renderer)
        for t in [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label, ax.yaxis.label]
        if t.get_visible() and t.get_text()
    ]
    fixed = [b for b in fixed if b.width > 0 and ax.figure.bbox.overlaps(b)]
    for text in texts:  # the points themselves (markers of about 6 px)
        x, y = ax.transData.transform(text.xy)
        fixed.append(Bbox.from_extents(x - 4, y - 4, x + 4, y + 4))
    boxes: dict[int, Any] = {}

    def cost(text: Any, spot: tuple) -> float:
        offset, ha, va = spot
        text.set(position=offset, horizontalalignment=ha, verticalalignment=va)
        box = text.get_window_extent(renderer)
        total = sum(_overlap_area(box, b) for i, b in boxes.items() if i != id(text))
        total += sum(_overlap_area(box, b) for b in fixed)
        outside = max(0, area.x0 - box.x0) + max(0, box.x1 - area.x1)
        outside += max(0, area.y0 - box.y0) + max(0, box.y1 - area.y1)
        return total + 4 * outside * box.height  # cut off is worse than covered

    # greedy first, then two rounds in which each label may move given all others
    for _ in range(3):
        for text in texts:
            best = min(_LABEL_SPOTS, key=lambda spot: (cost(text, spot), _LABEL_SPOTS.index(spot)))
            offset, ha, va = best
            text.set(position=offset, horizontalalignment=ha, verticalalignment=va)
            boxes[id(text)] = text.get_window_extent(renderer)


def _overlap_area(a: Any, b: Any) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _renderer(fig: Any):
    canvas = fig.canvas
    if not hasattr(canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(fig)
    return canvas.get_renderer()


def _drawn_texts(fig: Any) -> tuple[Any, list[Any]]:
    """Draw ``fig`` and return (renderer, the Text artists that were really painted)."""
    renderer = _renderer(fig)
    drawn: dict[int, Any] = {}
    paint = renderer.draw_text

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if mtext is not None and str(s).strip():
            drawn[id(mtext)] = mtext
        return paint(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = record
    try:
        fig.draw(renderer)
    finally:
        del renderer.draw_text
    return renderer, list(drawn.values())


def layout_problems(fig: Any, *, inside: bool = True) -> list[str]:
    """What a reader would stumble over in ``fig`` as drawn at its own size.

    Returns one English line per problem (empty list: fine): two painted texts whose
    bounding boxes overlap by more than 1 px in both directions, text smaller than
    :data:`MIN_TEXT_PX` pixels (font size at the figure's dpi) and, with ``inside``,
    text that runs past the left or right edge of the figure (a picture cropped to
    its content would grow wider and be shrunk on a phone). Draws the figure (Agg).
    """
    renderer, texts = _drawn_texts(fig)
    boxes = [(t, t.get_window_extent(renderer)) for t in texts]
    problems = []
    width = fig.bbox.width
    for t, box in boxes:
        px = t.get_fontsize() * fig.dpi / 72
        if px < MIN_TEXT_PX - 0.05:
            problems.append(f"text {t.get_text()!r} is {px:.1f} px high (< {MIN_TEXT_PX})")
        if inside and (box.x0 < -1 or box.x1 > width + 1):
            problems.append(
                f"text {t.get_text()!r} runs past the edge ({box.x0:.0f}–{box.x1:.0f} of {width:.0f} px)"
            )
    for a, b in _overlapping(texts, renderer):
        problems.append(f"texts {a.get_text()!r} and {b.get_text()!r} overlap")
    return problems


def _wrap(text: Any, max_px: float, renderer: Any) -> None:
    """Break ``text`` into lines at spaces until it is at most ``max_px`` wide (if it can be)."""
    words = " ".join(text.get_text().split())
    if not words:
        return
    width = text.get_window_extent(renderer).width
    if width <= max_px:
        return
    start = min(len(words) - 1, int(len(words) * max_px / width) + 2)  # about the first fit
    for chars in range(start, 3, -1):
        text.set_text(textwrap.fill(words, chars, break_long_words=False))
        if text.get_window_extent(renderer).width <= max_px:
            return


def _stack_panels(fig: Any) -> list[float]:
    """Put side-by-side panels of ``fig`` below each other; returns each panel's height (inches)."""
    from matplotlib.gridspec import GridSpec

    height = fig.get_size_inches()[1]
    panels = [ax for ax in fig.axes if ax.get_subplotspec() is not None]
    heights = [max(2.4, ax.get_position().height * height) for ax in panels]
    grids = {id(ax.get_subplotspec().get_gridspec()) for ax in panels}
    if len(panels) < 2 or len(grids) != 1:
        return heights
    if panels[0].get_subplotspec().get_gridspec().ncols < 2:
        return heights
    order = sorted(
        range(len(panels)),
        key=lambda i: (
            panels[i].get_subplotspec().rowspan.start,
            panels[i].get_subplotspec().colspan.start,
        ),
    )
    grid = GridSpec(len(panels), 1, figure=fig, height_ratios=[heights[i] for i in order])
    for row, i in enumerate(order):
        ax = panels[i]
        ax.set_subplotspec(grid[row, 0])
        # shared axes hide the inner tick labels; stacked, every panel needs its own
        ax.tick_params(labelleft=True, labelbottom=True)
    return [heights[i] for i in order]


def narrow_layout(fig: Any, width_px: int = NARROW_PX) -> None:
    """Lay ``fig`` out again, in place, for a phone screen ``width_px`` pixels wide.

    Side-by-side panels are stacked; every text gets at least 9 pt (12,5 px at
    100 dpi), titles at most 12 pt, tick labels 10 pt; titles start at the
    left edge (a single chart's title spans the whole width); legends go below a single chart in
    one column; names of map areas (:func:`area_labels`) become numbers with a key in the
    legend; titles, axis labels, legend titles and entries and category tick labels
    (row names of horizontal bars: to 40 % of the width) are wrapped at spaces to the room they have; number axes get fewer ticks,
    category tick labels that still collide get 9 pt, then are turned, and the figure grows
    taller while texts inside a chart collide (at most twice, by a quarter). Check
    the result with :func:`layout_problems`.
    """
    from matplotlib.dates import AutoDateLocator
    from matplotlib.text import Text
    from matplotlib.ticker import MaxNLocator

    heights = _stack_panels(fig)
    single = len(fig.axes) == 1
    if single and fig.axes[0].get_aspect() != "auto":  # a map: as tall as its shape needs
        ax = fig.axes[0]
        heights = [min(heights[0], width_px / fig.dpi * ax.get_aspect() * ax.get_data_ratio())]
    for ax in fig.axes:  # point labels are kept inside the picture by _place_labels
        for text in getattr(ax, "_datenlabor_point_labels", []):
            text.set_in_layout(False)
    for text in fig.findobj(Text):
        text.set_fontsize(max(_MIN_TEXT_PT, text.get_fontsize()))
    for ax in fig.axes:
        ax.title.set_fontsize(min(_TITLE_PT, ax.title.get_fontsize()))
        ax.tick_params(labelsize=10)
    if single and fig.axes[0].get_title():
        ax = fig.axes[0]
        fig.suptitle(ax.get_title(), fontsize=ax.title.get_fontsize())
        ax.set_title("")
    from matplotlib.patches import Patch

    legend_rows = 0
    for ax in fig.axes:
        legend = ax.get_legend()
        key = _number_areas(ax)
        if legend is None and not key:
            continue
        handles, labels, title = [], [], None
        if legend is not None:
            handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
            title = legend.get_title().get_text() or None
            legend.remove()
        handles = [*handles, *(Patch(visible=False) for _ in key)]
        labels = [*labels, *key]
        legend_rows += len(labels) + (1 if title else 0)
        if single:
            fig.legend(
                handles, labels, title=title, loc="outside lower center", ncols=1, frameon=False
            )
        else:
            ax.legend(handles, labels, title=title, ncols=1)
    fig.set_size_inches(width_px / fig.dpi, sum(h + 0.9 for h in heights) + 0.25 * legend_rows)
    fig.set_layout_engine("constrained")

    renderer = _renderer(fig)
    fig.draw(renderer)
    fewer = False
    for ax in fig.axes:
        locator = ax.xaxis.get_major_locator()
        if _ticks_collide(ax.xaxis, renderer):
            if isinstance(locator, MaxNLocator):
                locator.set_params(nbins=3)
                fewer = True
            elif isinstance(locator, AutoDateLocator):
                locator.maxticks = dict.fromkeys(locator.maxticks, 3)
                fewer = True
    width = fig.bbox.width
    for ax in fig.axes:  # first: the panels' places depend on the row names' width
        if not isinstance(ax.yaxis.get_major_locator(), MaxNLocator):
            fewer = _wrap_row_labels(ax, 0.4 * width, renderer) or fewer
    if fewer:
        fig.draw(renderer)
    if fig._suptitle is not None:
        _wrap(fig._suptitle, width - 8, renderer)
    for legend in fig.legends:
        _wrap(legend.get_title(), width - 8, renderer)
        for text in legend.get_texts():
            _wrap(text, width - 50, renderer)
    for ax in fig.axes:
        if ax.get_legend() is not None:
            room = ax.get_window_extent(renderer).width
            _wrap(ax.get_legend().get_title(), room - 8, renderer)
            for text in ax.get_legend().get_texts():
                _wrap(text, room - 50, renderer)
    for ax in fig.axes:
        box = ax.get_window_extent(renderer)
        if ax.get_title():  # a panel's title starts at the left edge of the picture
            ax.set_title(ax.get_title(), loc="left", fontsize=ax.title.get_fontsize())
            ax.set_title("")
            ax._left_title.set_x((4 - box.x0) / box.width)
            _wrap(ax._left_title, width - 8, renderer)
        room = 2 * min(box.x0 + box.width / 2, width - box.x0 - box.width / 2) - 4
        _wrap(ax.xaxis.label, room, renderer)
        _wrap(ax.yaxis.label, box.height, renderer)
        if not isinstance(ax.xaxis.get_major_locator(), MaxNLocator):
            _wrap_categories(ax, renderer)
    fig.draw(renderer)
    for ax in fig.axes:
        if _ticks_collide(ax.xaxis, renderer):
            ax.tick_params(axis="x", labelsize=_MIN_TEXT_PT)
            fig.draw(renderer)
        if _ticks_collide(ax.xaxis, renderer):
            for text in ax.xaxis.get_majorticklabels():
                text.set(rotation=35, horizontalalignment="right", rotation_mode="anchor")
    labelled = [ax for ax in fig.axes if getattr(ax, "_datenlabor_point_labels", None)]
    for attempt in range(3):
        if labelled:
            renderer = _renderer(fig)
            fig.draw(renderer)
            for ax in labelled:
                _place_labels(ax, renderer)
        if attempt == 2 or not layout_problems(fig):
            break
        if single and fig.axes[0].get_aspect() != "auto":
            break  # a taller picture only adds white space around a map
        w, h = fig.get_size_inches()
        fig.set_size_inches(w, h * 1.25)


def _wrap_categories(ax: Any, renderer: Any) -> None:
    """Wrap the category labels of ``ax``'s x axis to the distance between two ticks."""
    locations = list(ax.get_xticks())
    texts = [t.get_text() for t in ax.xaxis.get_majorticklabels()]
    if len(locations) < 2 or len(texts) != len(locations) or not any(texts):
        return
    xs = sorted(ax.transData.transform([(x, 0) for x in locations])[:, 0])
    gap = min(b - a for a, b in zip(xs, xs[1:], strict=False))
    wrapped = []
    for text in ax.xaxis.get_majorticklabels():
        _wrap(text, gap - 8, renderer)
        wrapped.append(text.get_text())
    ax.set_xticks(locations, wrapped)


def _wrap_row_labels(ax: Any, max_px: float, renderer: Any) -> bool:
    """Wrap the category labels of ``ax``'s y axis (rows of a horizontal bar chart) to
    ``max_px``, so long row names do not push the chart off the left edge; True if any
    was wrapped."""
    locations = list(ax.get_yticks())
    labels = ax.yaxis.get_majorticklabels()
    texts = [t.get_text() for t in labels]
    if len(texts) != len(locations) or not any(any(c.isalpha() for c in t) for t in texts):
        return False
    for text in labels:
        _wrap(text, max_px, renderer)
    wrapped = [t.get_text() for t in labels]
    if wrapped == texts:
        return False
    ax.set_yticks(locations, wrapped)
    return True


def _overlapping(texts: list[Any], renderer: Any) -> list[tuple[Any, Any]]:
    """Pairs of ``texts`` whose boxes overlap by more than 1 px both ways.

    Two texts turned by the same angle (tick labels) are compared in their
    own direction, so parallel slanted labels do not count as overlapping.
    """
    import math

    shapes = []
    for t in texts:
        box = t.get_window_extent(renderer)
        angle = t.get_rotation() % 180
        size = None
        if angle:
            t.set_rotation(0)
            flat = t.get_window_extent(renderer)
            t.set_rotation(angle)
            size = (flat.width, flat.height)
        shapes.append((t, box, angle, size))
    pairs = []
    for i, (a, ra, angle_a, size_a) in enumerate(shapes):
        for b, rb, angle_b, size_b in shapes[i + 1 :]:
            w = min(ra.x1, rb.x1) - max(ra.x0, rb.x0)
            h = min(ra.y1, rb.y1) - max(ra.y0, rb.y0)
            if w <= 1 or h <= 1:
                continue
            if angle_a and angle_a == angle_b:
                rad = math.radians(angle_a)
                dx = (rb.x0 + rb.x1 - ra.x0 - ra.x1) / 2
                dy = (rb.y0 + rb.y1 - ra.y0 - ra.y1) / 2
                along = abs(dx * math.cos(rad) + dy * math.sin(rad))
                across = abs(-dx * math.sin(rad) + dy * math.cos(rad))
                if (
                    along >= (size_a[0] + size_b[0]) / 2 - 1
                    or across >= (size_a[1] + size_b[1]) / 2 - 1
                ):
                    continue
            pairs.append((a, b))
    return pairs


def _ticks_collide(axis: Any, renderer: Any) -> bool:
    """True if two tick labels of ``axis`` shown inside its view touch each other."""
    lo, hi = sorted(axis.get_view_interval())
    slack = (hi - lo) * 1e-6
    boxes = sorted(
        (
            label.get_window_extent(renderer)
            for loc, label in zip(
                axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False
            )
            if lo - slack <= loc <= hi + slack and label.get_visible() and label.get_text()
        ),
        key=lambda b: b.x0,
    )
    return any(a.x1 + 2 > b.x0 for a, b in zip(boxes, boxes[1:], strict=False))


def _png(fig: Any) -> str:
    """The figure as base64 PNG with a 128-colour palette: about a quarter of the bytes
    of a true-colour PNG (charts have few colours), which matters on mobile data."""
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0.05, dpi=100)
    try:
        image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
        small = io.BytesIO()
        image.quantize(colors=128, method=Image.Quantize.FASTOCTREE).save(
            small,
            format="PNG",
            optimize=True,  # about 10 % fewer bytes
        )
        if small.tell() < buf.tell():
            buf = small
    except Exception:  # noqa: BLE001 - the true-colour PNG is fine too
        pass
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _readable(fig: Any) -> None:
    """Raise every text of ``fig`` to at least 9 pt (12,5 px at 100 dpi)."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_fontsize(max(_MIN_TEXT_PT, text.get_fontsize()))


CHECK_FOLDER = "DATENLABOR_DIAGRAMME"
"""Environment variable: a folder where :func:`show` stores every picture it sends (wide and
narrow PNG) and appends the :func:`layout_problems` of each to ``probleme.txt``; the lab tests
set it and fail on any problem."""


def _keep_for_check(fig: Any, kind: str, data: str, inside: bool) -> None:
    folder = os.environ.get(CHECK_FOLDER)
    if not folder:
        return
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    number = len(list(target.glob(f"*-{kind}.png"))) + 1
    name = f"{number:02d}-{kind}.png"
    (target / name).write_bytes(base64.b64decode(data))
    problems = layout_problems(fig, inside=inside)
    if problems:
        title = " / ".join(" ".join(ax.get_title().split()) for ax in fig.axes if ax.get_title())
        with (target / "probleme.txt").open("a", encoding="utf-8") as fh:
            fh.writelines(f"{name} ({title}): {p}\n" for p in problems)


def _fits_phone(fig: Any, picture: str) -> bool:
    """False if the phone layout failed: a chart squeezed below 60 px either way (too many
    legend entries, a long label) or a picture wider than the phone's content box."""
    from PIL import Image

    width, height = fig.bbox.width, fig.bbox.height
    for ax in fig.axes:
        if ax.get_subplotspec() is None or hasattr(ax, "_colorbar"):
            continue
        box = ax.get_position()
        if box.width * width < 60 or box.height * height < 60:
            return False
    shown = Image.open(io.BytesIO(base64.b64decode(picture))).width
    return shown <= NARROW_PX + 12


def show(fig: Any, alt: str, caption: str | None = None) -> None:
    """Display ``fig`` as an image with alternative text, then free it.

    Text smaller than 9 pt is enlarged first. A figure wider than a phone
    screen is rendered twice: as drawn, and re-laid out :data:`NARROW_PX`
    pixels wide by :func:`narrow_layout` (panels stacked, text wrapped, at
    least 12 px); the browser picks one with ``<picture>``. With the
    environment variable :data:`CHECK_FOLDER` set, both pictures and their
    layout problems are kept there.
    """
    import warnings

    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    with warnings.catch_warnings():
        # matplotlib's layout notes are for developers; in an app they would be printed
        # as red text under the chart
        warnings.simplefilter("ignore")
        _readable(fig)
        renderer = _renderer(fig)
        for ax in fig.axes:
            _place_labels(ax, renderer)
        data = _png(fig)
        _keep_for_check(fig, "breit", data, inside=False)
        narrow = ""
        if fig.get_size_inches()[0] > NARROW_INCHES + 0.5:
            try:
                narrow_layout(fig)
                narrow = _png(fig)
            except Exception:  # noqa: BLE001 - the wide picture is enough
                narrow = ""
            else:
                _keep_for_check(fig, "schmal", narrow, inside=True)
                if not _fits_phone(fig, narrow):
                    narrow = ""  # a squeezed chart is worse than the wide one made smaller
    plt.close(fig)
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    source = (
        f'<source media="{NARROW_SCREEN}" srcset="data:image/png;base64,{narrow}">'
        if narrow
        else ""
    )
    display(
        HTML(
            '<figure class="datenlabor-abbildung" style="margin:0;max-width:100%">'
            f'<picture style="display:block;max-width:100%">{source}'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
            f'style="max-width:100%;height:auto"></picture>{cap}</figure>'
        )
    )
