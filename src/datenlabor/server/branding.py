"""Municipal branding of the app server: name, logo and colours from one YAML file."""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BrandingError

PACKAGE = Path(__file__).resolve().parents[1]
DEFAULT_COLORS = {
    "primary": "#00557f",
    "primary-text": "#ffffff",
    "accent": "#b3001b",
    "background": "#f6f7f8",
    "text": "#1a1a1a",
}


@dataclass
class Branding:
    """Name, logo and colours of the municipality (from ``branding.yaml``)."""

    name: str
    organisation: str
    tagline: str
    logo_svg: str
    logo_alt: str
    colors: dict[str, str]
    contact: str = ""

    def css_variables(self) -> str:
        """The colours as CSS custom properties (``--dl-primary: #00557f; ...``)."""
        return "; ".join(f"--dl-{key}: {value}" for key, value in self.colors.items())


def branding_file() -> Path:
    """The branding file in use: ``$DATENLABOR_BRANDING`` or the package's ``branding.yaml``."""
    return Path(os.environ.get("DATENLABOR_BRANDING") or PACKAGE / "branding.yaml")


def load_branding(path: Path | None = None) -> Branding:
    """Read the branding file; the logo is inlined (SVG), so it needs no extra request.

    Raises :class:`BrandingError` (German message) if the file or the logo cannot be
    read or a colour is not a hex value.
    """
    import yaml

    path = path or branding_file()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise BrandingError(
            f"Die Datei zum Erscheinungsbild „{path}“ lässt sich nicht lesen ({type(exc).__name__})."
        ) from None
    colors = {
        **DEFAULT_COLORS,
        **{str(k).replace("_", "-"): str(v) for k, v in (data.get("farben") or {}).items()},
    }
    for key, value in colors.items():
        if not re.fullmatch(r"#[0-9a-fA-F]{3,8}", value):
            raise BrandingError(
                f"{path}: Farbe „{key}“ muss ein Hex-Wert wie #00557f sein, nicht {value!r}."
            )
    logo = ""
    if data.get("logo"):
        logo_path = (path.parent / str(data["logo"])).resolve()
        try:
            logo = logo_path.read_text(encoding="utf-8")
        except OSError:
            raise BrandingError(f"{path}: Das Logo „{logo_path}“ fehlt.") from None
        logo = re.sub(r"<\?xml[^>]*\?>", "", logo).strip()
    return Branding(
        name=str(data.get("name", "Datenlabor")),
        organisation=str(data.get("kommune", "")),
        tagline=str(data.get("untertitel", "Experimentierräume für Daten und KI")),
        logo_svg=logo,
        logo_alt=str(data.get("logo_alt", "")),
        colors=colors,
        contact=str(data.get("kontakt", "")),
    )


def logo_html(branding: Branding) -> str:
    """The logo as inline SVG with a text alternative (empty string without a logo)."""
    if not branding.logo_svg:
        return ""
    alt = html.escape(branding.logo_alt or branding.organisation or branding.name)
    svg = re.sub(
        r"<svg\b",
        f'<svg role="img" aria-label="{alt}" focusable="false"',
        branding.logo_svg,
        count=1,
    )
    return f'<span class="dl-logo">{svg}</span>'
