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


def show(fig: Any, alt: str, caption: str | None = None) -> None:
    """Display ``fig`` as an image with alternative text, then free it."""
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=100)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    display(
        HTML(
            '<figure class="datenlabor-abbildung" style="margin:0;max-width:100%">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
            f'style="max-width:100%;height:auto">{cap}</figure>'
        )
    )
