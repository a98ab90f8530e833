"""Certificate of participation (Teilnahmebestätigung) as HTML and PDF, built in memory.

Contents: the participant's name (typed by them), date, lab title, duration and
learning goals from lab.yaml, optionally the quiz result, the issuing
municipality from the branding file, and the AI-literacy topics the lab covers
(Art. 4 KI-Verordnung). Nothing is written to disk or logged by the app; the
command ``datenlabor bestaetigung`` writes one PDF per name of a CSV file.

The PDF uses DejaVu Sans shipped in ``datenlabor/fonts`` (Bitstream Vera
licence, see LICENSE-DejaVu.txt): the PDF core fonts cannot print „ “ or €.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import html
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import Lab
from .errors import DatenlaborError
from .paths import write_atomic

FONTS = Path(__file__).resolve().parent / "fonts"
MAX_NAME = 80

AI_TOPICS = {
    "ki-grundlagen": "Was KI ist und was nicht",
    "risiken-grenzen": "Risiken und Grenzen von KI und Daten",
    "datenschutz": "Datenschutz",
    "menschliche-aufsicht": "Menschliche Aufsicht und Verantwortung",
    "daten-verstehen": "Daten verstehen und prüfen",
    "fairness": "Fairness und Diskriminierung",
    "transparenz": "Transparenz und Nachvollziehbarkeit",
}
"""AI-literacy topics a lab can list under ``ki_kompetenz`` in lab.yaml (key -> German label)."""


class CertificateError(DatenlaborError):
    """Raised when a certificate cannot be made (no or unusable name, unreadable name list)."""

    exit_code = 2


@dataclass
class Certificate:
    """Everything a certificate shows; build it with :func:`make_certificate`."""

    name: str
    lab_title: str
    lab_summary: str
    duration_minutes: int
    goals: list[str]
    topics: list[str]
    issuer: str
    date: _dt.date
    quiz: str | None = None
    techniques: list[str] = field(default_factory=list)


def clean_name(name: str) -> str:
    """The typed name, trimmed, NFC-normalised; :class:`CertificateError` if empty or unusable."""
    text = unicodedata.normalize("NFC", " ".join(str(name or "").split()))
    if not text:
        raise CertificateError("Bitte geben Sie Ihren Namen ein.")
    if len(text) > MAX_NAME:
        raise CertificateError(f"Der Name ist zu lang (höchstens {MAX_NAME} Zeichen).")
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise CertificateError("Der Name enthält Steuerzeichen. Bitte nur Buchstaben eingeben.")
    return text


def issuer() -> str:
    """The issuing municipality: ``kommune`` (else ``name``) of the branding file.

    Same file as the app server's branding (``$DATENLABOR_BRANDING`` or the
    package's ``branding.yaml``), read here directly because kernel-side code
    never imports the server package. Raises :class:`CertificateError` if unreadable.
    """
    import yaml

    path = Path(os.environ.get("DATENLABOR_BRANDING") or Path(__file__).parent / "branding.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        raise CertificateError(
            f"Die Datei zum Erscheinungsbild „{path}“ lässt sich nicht lesen."
        ) from None
    return str(data.get("kommune") or data.get("name") or "Datenlabor")


def topics_of(lab: Lab) -> list[str]:
    """German labels of the lab's AI-literacy topics (``ki_kompetenz`` in lab.yaml)."""
    return [AI_TOPICS.get(str(k), str(k)) for k in lab.meta.get("ki_kompetenz") or []]


def make_certificate(
    lab: Lab, name: str, quiz: str | None = None, on: _dt.date | None = None
) -> Certificate:
    """The certificate for ``name`` after ``lab``; issuer from the branding file."""
    return Certificate(
        name=clean_name(name),
        lab_title=lab.title,
        lab_summary=lab.summary,
        duration_minutes=lab.duration_minutes,
        goals=[str(g) for g in lab.meta.get("learning_goals") or []],
        topics=topics_of(lab),
        issuer=issuer(),
        date=on or _dt.date.today(),
        quiz=quiz,
        techniques=lab.techniques,
    )


def _date(d: _dt.date) -> str:
    from .formatting import date

    return date(d)


def _duration(minutes: int) -> str:
    return f"{minutes} Minuten"


def certificate_html(cert: Certificate) -> str:
    """A complete, self-contained HTML page (lang de, print styles, no external files)."""
    e = html.escape
    goals = "".join(f"<li>{e(g)}</li>" for g in cert.goals)
    topics = "".join(f"<li>{e(t)}</li>" for t in cert.topics)
    quiz = f"<p><strong>Wissensfragen:</strong> {e(cert.quiz)}</p>" if cert.quiz else ""
    topic_part = (
        f"<h2>KI-Kompetenz (Art. 4 KI-Verordnung): behandelte Themen</h2><ul>{topics}</ul>"
        if topics
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Teilnahmebestätigung – {e(cert.name)} – {e(cert.lab_title)}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; background: #fff;
  max-width: 46rem; margin: 0 auto; padding: 1.5rem; line-height: 1.5; }}
h1 {{ font-size: 1.75rem; margin: 0 0 1rem; color: #00557f; }}
h2 {{ font-size: 1.15rem; margin: 1.5rem 0 .5rem; }}
.name {{ font-size: 1.5rem; font-weight: bold; margin: .5rem 0; overflow-wrap: anywhere; }}
.aussteller {{ margin-top: 2rem; border-top: 1px solid #555; padding-top: .75rem; }}
@media print {{ body {{ padding: 0; }} @page {{ margin: 2cm; }} }}
</style>
</head>
<body>
<main>
<h1>Teilnahmebestätigung</h1>
<p>Hiermit wird bestätigt, dass</p>
<p class="name">{e(cert.name)}</p>
<p>am {e(_date(cert.date))} am Experimentierraum „{e(cert.lab_title)}“ des Datenlabors
teilgenommen hat (Dauer: {e(_duration(cert.duration_minutes))}).</p>
<p>{e(cert.lab_summary)}</p>
<h2>Lernziele</h2>
<ul>{goals}</ul>
{topic_part}
{quiz}
<p class="aussteller">Ausgestellt von: {e(cert.issuer)}<br>
Diese Bestätigung wurde von der teilnehmenden Person selbst erstellt; der Name wurde nicht geprüft.</p>
</main>
</body>
</html>
"""


def german_pdf(
    title: str, margin: float, bottom: float, size: float, gap: float
) -> tuple[Any, Callable[..., None]]:
    """A new A4 fpdf2 document with DejaVu Sans (prints „ “ and umlauts) and a paragraph writer.

    Returns ``(pdf, para)``; ``para(text, size=…, style="" | "B", gap=…, tag="P")`` writes
    one left-aligned paragraph (sizes in pt, margins and gaps in mm) as a tagged
    structure element (``tag`` ``P``, ``H1``, ``H2``; see :func:`_tagged`).

    Accessibility (what fpdf2 2.8 allows): document language ``de-DE``, title shown
    by the viewer instead of the file name, Unicode text with an embedded font (so
    it can be read aloud and copied), bookmarks via ``pdf.start_section``, and a
    structure tree in reading order with ``/MarkInfo /Marked true``. A paragraph
    never straddles a page break (it moves to the next page as a whole, fpdf2's own
    technique for section titles), so every marked sequence stays on one page.
    Not reached: PDF/UA — fpdf2 has no list/table structure types, no ``/Tabs /S``
    on pages and no PDF/UA identification in the XMP metadata.
    """
    from fpdf import FPDF, ViewerPreferences
    from fpdf.enums import MethodReturnValue

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_lang("de-DE")
    pdf.set_creator("Datenlabor")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(True, margin=bottom)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def para(
        text: str, size: float = size, style: str = "", gap: float = gap, tag: str = "P"
    ) -> None:
        pdf.set_font("DejaVu", style, size)
        height = size * 0.5
        breaks = pdf.multi_cell(
            width, height, text, align="L", dry_run=True, output=MethodReturnValue.PAGE_BREAK
        )
        if breaks:
            pdf.add_page()
        with _tagged(pdf, tag):
            pdf.multi_cell(width, height, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    return pdf, para


STRUCTURE_TYPES = ("P", "H1", "H2", "H3")
"""Structure types :func:`_tagged` writes (PDF 1.7, 14.8.4 standard structure types)."""


@contextlib.contextmanager
def _tagged(pdf: Any, tag: str) -> Any:
    """Wrap what is drawn inside in a marked-content sequence tied to a ``/<tag>`` element.

    fpdf2 builds its structure tree (``pdf.struct_builder``) only for images and
    links; paragraphs and headings are added here the same way fpdf2 tags an image
    (``/<tag> <</MCID n>> BDC … EMC`` plus a structure element pointing to it).
    Raises ``ValueError`` for an unknown tag and if the content crossed a page.
    """
    if tag not in STRUCTURE_TYPES:
        raise ValueError(f"unknown structure type {tag!r}")
    page = pdf.page
    mcid = pdf.struct_builder.next_mcid_for_page(page)
    _, parents = pdf.struct_builder.add_marked_content(
        page_number=page, struct_type=f"/{tag}", mcid=mcid
    )
    pdf.pages[page].struct_parents = parents
    pdf._out(f"/{tag} <</MCID {mcid}>> BDC")  # noqa: SLF001 - fpdf2 has no public marked content
    yield
    if pdf.page != page:
        raise ValueError("a tagged paragraph crossed a page break")
    pdf._out("EMC")  # noqa: SLF001


def certificate_pdf(cert: Certificate) -> bytes:
    """The certificate as PDF bytes (A4, DejaVu Sans embedded, title and language set)."""
    pdf, para = german_pdf(
        f"Teilnahmebestätigung – {cert.lab_title}", margin=22, bottom=20, size=11, gap=2
    )
    pdf.set_author(cert.issuer)
    pdf.set_subject(f"Teilnahmebestätigung für {cert.name}")

    pdf.set_text_color(0, 85, 127)
    pdf.start_section("Teilnahmebestätigung")
    para("Teilnahmebestätigung", 22, "B", 6, tag="H1")
    pdf.set_text_color(26, 26, 26)
    para("Hiermit wird bestätigt, dass")
    para(cert.name, 18, "B", 3)
    para(
        f"am {_date(cert.date)} am Experimentierraum „{cert.lab_title}“ des Datenlabors "
        f"teilgenommen hat (Dauer: {_duration(cert.duration_minutes)})."
    )
    if cert.lab_summary:
        para(cert.lab_summary, 10)
    pdf.start_section("Lernziele", level=1)
    para("Lernziele", 13, "B", 1, tag="H2")
    for goal in cert.goals:
        para(f"• {goal}", 10.5, gap=0.5)
    if cert.topics:
        pdf.ln(2)
        pdf.start_section("KI-Kompetenz", level=1)
        para("KI-Kompetenz (Art. 4 KI-Verordnung): behandelte Themen", 13, "B", 1, tag="H2")
        for topic in cert.topics:
            para(f"• {topic}", 10.5, gap=0.5)
    if cert.quiz:
        pdf.ln(2)
        para(f"Wissensfragen: {cert.quiz}", 11)
    pdf.ln(6)
    para(f"Ausgestellt von: {cert.issuer}", 11, "B", 1)
    para(
        "Diese Bestätigung wurde von der teilnehmenden Person selbst erstellt; "
        "der Name wurde nicht geprüft.",
        9,
    )
    return bytes(pdf.output())


def file_stem(name: str) -> str:
    """A safe file name part for ``name``: „Jörg Müller-Lüdenscheidt“ -> Joerg_Mueller-Luedenscheidt."""
    text = name
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")):
        text = text.replace(a, b).replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9-]+", "_", text).strip("_")
    return text[:60] or "Teilnehmer"


def read_names(path: Path) -> list[str]:
    """Names from the column ``name`` of a CSV/Excel file in any common encoding.

    Raises :class:`CertificateError` if the file cannot be read, has no column
    ``name`` or no names.
    """
    from .csvfiles import read_csv

    if not Path(path).is_file():
        raise CertificateError(f"Die Namensliste „{path}“ gibt es nicht.")
    try:
        frame = read_csv(Path(path))
    except DatenlaborError as exc:
        raise CertificateError(f"Die Namensliste lässt sich nicht lesen: {exc}") from None
    columns = {str(c).strip().casefold(): c for c in frame.columns}
    if "name" not in columns:
        found = ", ".join(map(str, frame.columns)) or "keine"
        raise CertificateError(f"Die Namensliste braucht eine Spalte „name“ (gefunden: {found}).")
    names = [str(v) for v in frame[columns["name"]].tolist() if str(v or "").strip()]
    names = [n for n in names if n.lower() not in ("nan", "none")]
    if not names:
        raise CertificateError("Die Namensliste enthält keine Namen.")
    return [clean_name(n) for n in names]


def write_certificates(
    lab: Lab, names: Sequence[str], target: Path, on: _dt.date | None = None
) -> list[Path]:
    """One PDF per name in ``target`` (``Teilnahmebestaetigung_<slug>_<Name>.pdf``), atomically.

    All names are checked before the first file is written. Same names get a
    number appended.
    """
    target = Path(target)
    if not target.is_dir():
        raise CertificateError(f"Den Ordner „{target}“ gibt es nicht.")
    certs = [make_certificate(lab, n, on=on) for n in names]
    paths: list[Path] = []
    used: set[str] = set()
    for cert in certs:
        stem = f"Teilnahmebestaetigung_{lab.slug}_{file_stem(cert.name)}"
        candidate, n = stem, 2
        while candidate in used:
            candidate, n = f"{stem}_{n}", n + 1
        used.add(candidate)
        path = target / f"{candidate}.pdf"
        paths.append(write_atomic(path, certificate_pdf(cert)))
    return paths


def certificate_widget(lab: Lab, quiz_state=None):
    """The app's certificate form: name, quiz result yes/no, button, download links.

    PDF and HTML are built in the kernel's memory and offered as ``data:`` links
    (``download`` attribute); nothing is written on the server or logged.
    """
    import base64

    import ipywidgets as w

    full = {"layout": w.Layout(width="100%", max_width="36rem")}
    from .quiz import TEXT_STYLE

    intro = w.HTML(
        f'<h2>Teilnahmebestätigung</h2><p style="{TEXT_STYLE}">Tragen Sie Ihren Namen ein, um '
        "eine Bestätigung als PDF oder als Webseite zum Drucken zu erhalten. Der Name wird nicht "
        "gespeichert.</p>"
    )
    name = w.Text(
        value="",
        description="Ihr Name (so wie er auf der Bestätigung stehen soll)",
        style={"description_width": "initial"},
        continuous_update=False,
        **full,
    )
    name.add_class("dl-bestaetigung-name")
    children = [intro, name]
    with_quiz = None
    if quiz_state is not None and quiz_state.total:
        with_quiz = w.Checkbox(
            value=False, description="Ergebnis der Wissensfragen aufnehmen", indent=False, **full
        )
        children.append(with_quiz)
    button = w.Button(
        description="Bestätigung erstellen", layout=w.Layout(width="auto", max_width="36rem")
    )
    button.add_class("dl-bestaetigung-erstellen")
    result = w.HTML('<div role="status" aria-live="polite"></div>')
    result.add_class("dl-bestaetigung-ergebnis")

    def on_click(_button) -> None:
        try:
            quiz = quiz_state.summary() if with_quiz is not None and with_quiz.value else None
            cert = make_certificate(lab, name.value, quiz=quiz)
            pdf = base64.b64encode(certificate_pdf(cert)).decode("ascii")
            page = base64.b64encode(certificate_html(cert).encode("utf-8")).decode("ascii")
        except CertificateError as exc:
            result.value = f'<div role="alert">{html.escape(str(exc))}</div>'
            return
        except Exception as exc:  # noqa: BLE001 - no traceback, and never the name in a log
            import sys

            print(f"Teilnahmebestätigung: {type(exc).__name__}", file=sys.__stderr__)
            result.value = (
                '<div role="alert">Die Bestätigung ließ sich nicht erstellen. '
                "Bitte noch einmal versuchen.</div>"
            )
            return
        stem = f"Teilnahmebestaetigung_{lab.slug}_{file_stem(cert.name)}"
        result.value = (
            f'<div role="status" aria-live="polite" style="{TEXT_STYLE}">'
            "<p>Ihre Bestätigung ist fertig.</p>"
            '<ul class="dl-downloads">'
            f'<li><a download="{stem}.pdf" href="data:application/pdf;base64,{pdf}">'
            "Bestätigung als PDF herunterladen</a></li>"
            f'<li><a download="{stem}.html" href="data:text/html;charset=utf-8;base64,{page}">'
            "Bestätigung als Webseite herunterladen (zum Drucken)</a></li></ul></div>"
        )

    button.on_click(on_click)
    children += [button, result]
    box = w.VBox(children, layout=w.Layout(width="100%"))
    box.add_class("datenlabor-app")
    box.add_class("dl-bestaetigung")
    return box
