"""What a German public website must link on every page: Impressum, Datenschutzerklärung
and Erklärung zur Barrierefreiheit (BITV 2.0, § 12b BGG) with a feedback contact.

Texts or URLs come from the branding file (section ``rechtliches``); an entry that
is a URL is linked directly, any other text is shown on a page of the app server
(``/datenlabor/impressum`` etc.). Without an entry for the accessibility statement
the server shows the pre-filled statement shipped with Datenlabor
(``templates/barrierefreiheit.html``): what was tested and the known limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .branding import branding_file, logo_html

PAGES = {
    "impressum": "Impressum",
    "datenschutz": "Datenschutzerklärung",
    "barrierefreiheit": "Erklärung zur Barrierefreiheit",
}
"""Slug of the page below ``/datenlabor/`` -> link text in the footer."""


@dataclass
class Legal:
    """The ``rechtliches`` section of the branding file.

    ``texts`` maps a page slug (see :data:`PAGES`) to a URL or a plain text
    (paragraphs separated by blank lines); the feedback fields name whom people
    write to about barriers (required by BITV 2.0 § 7).
    """

    texts: dict[str, str] = field(default_factory=dict)
    feedback_email: str = ""
    feedback_phone: str = ""
    feedback_name: str = ""
    enforcement: str = ""
    statement_date: str = ""
    organisation: str = ""

    def href(self, slug: str, base_url: str = "/") -> str:
        """Where the footer link of ``slug`` points: the configured URL or our own page."""
        value = self.texts.get(slug, "").strip()
        if value.startswith(("https://", "http://")) and "\n" not in value:
            return value
        return f"{base_url}datenlabor/{slug}"

    def footer_links(self, base_url: str = "/") -> list[dict[str, str]]:
        """The three footer links as ``{"label", "href"}`` dicts, in the usual order."""
        return [
            {"label": label, "href": self.href(slug, base_url)} for slug, label in PAGES.items()
        ]

    def paragraphs(self, slug: str) -> list[str]:
        """The configured text of a page, split into paragraphs (empty if none or a URL)."""
        value = self.texts.get(slug, "").strip()
        if not value or self.href(slug) == value:
            return []
        return [p.strip() for p in value.split("\n\n") if p.strip()]


def load_legal(path: Path | None = None) -> Legal:
    """Read the ``rechtliches`` section of the branding file (missing keys: empty)."""
    import yaml

    path = path or branding_file()
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    section = data.get("rechtliches") or {}
    feedback = section.get("feedback") or {}
    return Legal(
        texts={slug: str(section.get(slug) or "") for slug in PAGES},
        feedback_email=str(feedback.get("email") or ""),
        feedback_phone=str(feedback.get("telefon") or ""),
        feedback_name=str(feedback.get("name") or ""),
        enforcement=str(section.get("schlichtungsstelle") or ""),
        statement_date=str(section.get("stand") or ""),
        organisation=str(data.get("kommune") or ""),
    )


def page_handler_class():
    """Tornado handler for ``/datenlabor/(impressum|datenschutz|barrierefreiheit)``.

    Needs the app settings ``datenlabor_env`` (jinja2 environment of
    ``templates/``) and ``datenlabor_branding``, as the gallery does.
    """
    import tornado.web

    class LegalPageHandler(tornado.web.RequestHandler):
        def get(self, slug: str) -> None:
            if slug not in PAGES:
                raise tornado.web.HTTPError(404)
            legal = load_legal()
            base = self.settings.get("base_url", "/")
            href = legal.href(slug, base)
            if href.startswith(("https://", "http://")):
                self.redirect(href)
                return
            branding = self.settings["datenlabor_branding"]
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Cache-Control", "no-cache")
            template = "barrierefreiheit.html" if slug == "barrierefreiheit" else "rechtliches.html"
            self.finish(
                self.settings["datenlabor_env"]
                .get_template(template)
                .render(
                    branding=branding,
                    logo=logo_html(branding),
                    base_url=base,
                    legal=legal,
                    footer_links=legal.footer_links(base),
                    title=PAGES[slug],
                    paragraphs=legal.paragraphs(slug),
                )
            )

    return LegalPageHandler
