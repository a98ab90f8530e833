"""One plotting style for every lab: colour-blind-safe colours and a text alternative.

Plots are shown as images with alt text, so screen-reader users get the
statement of the plot too (BITV 2.0 / WCAG 1.1.1).
"""

from __future__ import annotations

import base64
import html
import io
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


NARROW_INCHES = 3.4
"""Width of the phone rendering of a figure: 340 px at 100 dpi, so 11 pt text stays >= 12 px."""
NARROW_SCREEN = "(max-width: 40em)"


def _png(fig: Any) -> str:
    """The figure as base64 PNG with a 128-colour palette: about a quarter of the bytes
    of a true-colour PNG (charts have few colours), which matters on mobile data."""
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=100)
    try:
        image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
        small = io.BytesIO()
        image.quantize(colors=128, method=Image.Quantize.FASTOCTREE).save(small, format="PNG")
        if small.tell() < buf.tell():
            buf = small
    except Exception:  # noqa: BLE001 - the true-colour PNG is fine too
        pass
    return base64.b64encode(buf.getvalue()).decode("ascii")


def show(fig: Any, alt: str, caption: str | None = None) -> None:
    """Display ``fig`` as an image with alternative text, then free it.

    A figure wider than a phone screen is rendered twice: as drawn, and
    :data:`NARROW_INCHES` wide (same font sizes, so the text is readable at
    320 px); the browser picks one with ``<picture>``.
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    data = _png(fig)
    narrow = ""
    width, height = fig.get_size_inches()
    if width > NARROW_INCHES + 0.5:
        try:
            columns = max(1, len({round(ax.get_position().x0, 2) for ax in fig.axes}))
            fig.set_size_inches(NARROW_INCHES, max(height, 2.6) * (1 + 0.4 * (columns - 1)))
            narrow = _png(fig)
        except Exception:  # noqa: BLE001 - the wide picture is enough
            narrow = ""
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
