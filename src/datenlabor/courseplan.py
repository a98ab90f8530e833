"""Kursplan for HR and facilitators: every lab with audience, duration, level, goals,
exercises and AI-literacy topics, plus suggested half-day and full-day workshops.

Text for the terminal, a self-contained HTML page and a PDF (DejaVu Sans from
``datenlabor/fonts``). The sequences are a simple rule, not an optimisation:
labs in order of level (Einstieg first), then by duration, filled up to the
time of the format (half day 180 minutes of labs, full day 360) with a
15-minute break after every 90 minutes (45-minute lunch once 180 minutes are done).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .catalog import LEVELS, Lab, discover
from .errors import DatenlaborError
from .paths import write_atomic as _write_file

HALF_DAY_MINUTES = 180
FULL_DAY_MINUTES = 360
BREAK_EVERY = 90
BREAK_MINUTES = 15
LUNCH_MINUTES = 45


class CoursePlanError(DatenlaborError):
    """Raised when a Kursplan file cannot be written (missing folder)."""

    exit_code = 2


@dataclass
class Entry:
    """One lab in the plan."""

    slug: str
    title: str
    summary: str
    audience: str
    level: str
    duration_minutes: int
    goals: list[str]
    exercises: list[str]
    topics: list[str]
    questions: int


def _exercise_titles(lab: Lab) -> list[str]:
    from .exercises import exercises_of

    declared = lab.meta.get("aufgaben") or {}
    try:
        nb = json.loads(lab.notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    titles = []
    for ex in exercises_of(nb):
        if ex["id"]:
            spec = declared.get(ex["id"]) or {}
            titles.append(str(spec.get("titel") or ex["id"]))
    return titles


def entries(labs: Sequence[Lab] | None = None) -> list[Entry]:
    """One entry per lab (default: all labs under labs/)."""
    from .certificate import topics_of

    out = []
    for lab in labs if labs is not None else discover():
        out.append(
            Entry(
                slug=lab.slug,
                title=lab.title,
                summary=lab.summary,
                audience=lab.audience_text,
                level=lab.level,
                duration_minutes=lab.duration_minutes,
                goals=[str(g) for g in lab.meta.get("learning_goals") or []],
                exercises=_exercise_titles(lab),
                topics=topics_of(lab),
                questions=len(lab.meta.get("quiz") or []),
            )
        )
    return out


def sequence(items: Sequence[Entry], minutes: int) -> list[Entry]:
    """Labs for a workshop of ``minutes`` lab time: easiest first, then shortest, greedy."""
    order = sorted(
        items,
        key=lambda e: (LEVELS.index(e.level) if e.level in LEVELS else 9, e.duration_minutes),
    )
    chosen, used = [], 0
    for e in order:
        if used + e.duration_minutes <= minutes:
            chosen.append(e)
            used += e.duration_minutes
    return chosen


def timetable(chosen: Sequence[Entry], start: str = "09:00") -> list[tuple[str, str]]:
    """``(Uhrzeit, Programmpunkt)`` rows with breaks after every 90 minutes of labs."""
    hours, mins = (int(x) for x in start.split(":"))
    t = hours * 60 + mins
    since_break = done = 0
    lunch = False
    rows = []
    for e in chosen:
        if since_break + e.duration_minutes > BREAK_EVERY and since_break:
            if done >= HALF_DAY_MINUTES and not lunch:
                rows.append(
                    (f"{t // 60:02d}:{t % 60:02d}", f"Mittagspause ({LUNCH_MINUTES} Minuten)")
                )
                t += LUNCH_MINUTES
                lunch = True
            else:
                rows.append((f"{t // 60:02d}:{t % 60:02d}", f"Pause ({BREAK_MINUTES} Minuten)"))
                t += BREAK_MINUTES
            since_break = 0
        rows.append((f"{t // 60:02d}:{t % 60:02d}", f"{e.title} ({e.duration_minutes} Minuten)"))
        t += e.duration_minutes
        since_break += e.duration_minutes
        done += e.duration_minutes
    rows.append((f"{t // 60:02d}:{t % 60:02d}", "Ende, Teilnahmebestätigungen"))
    return rows


def plan_text(items: Sequence[Entry]) -> str:
    """The plan for the terminal."""
    lines = ["Kursplan Datenlabor", "=" * 19, ""]
    for e in items:
        lines.append(f"{e.title} ({e.slug})")
        lines.append(
            f"  Dauer: {e.duration_minutes} Minuten · Zielgruppe: {e.audience} · Niveau: {e.level}"
        )
        lines.append("  Lernziele:")
        lines += [f"    - {g}" for g in e.goals]
        if e.exercises:
            lines.append(f"  Aufgaben: {'; '.join(e.exercises)}")
        if e.topics:
            lines.append(f"  KI-Kompetenz: {'; '.join(e.topics)}")
        lines.append("")
    for label, minutes in (
        ("Halbtags-Workshop", HALF_DAY_MINUTES),
        ("Ganztags-Workshop", FULL_DAY_MINUTES),
    ):
        lines.append(f"Vorschlag {label}:")
        lines += [f"  {time}  {what}" for time, what in timetable(sequence(items, minutes))]
        lines.append("")
    return "\n".join(lines)


def plan_body_html(items: Sequence[Entry], links: dict[str, str] | None = None) -> str:
    """The plan's content as HTML (no page frame): workshop suggestions, then every lab.

    Headings start at ``h2`` (the page brings its own ``h1``). ``links`` maps a lab's
    slug to its app URL; the lab title then links to it (the server's Kursplan page).
    All text is escaped.
    """
    e = html.escape
    links = links or {}
    seqs = []
    for label, minutes in (
        ("Halbtags-Workshop", HALF_DAY_MINUTES),
        ("Ganztags-Workshop", FULL_DAY_MINUTES),
    ):
        rows = "".join(
            f"<tr><td>{e(t)}</td><td>{e(w)}</td></tr>"
            for t, w in timetable(sequence(items, minutes))
        )
        seqs.append(
            f"<h3>{label}</h3><table><caption>{label}: Ablauf</caption><thead><tr>"
            f'<th scope="col">Uhrzeit</th><th scope="col">Programmpunkt</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    parts = []
    for x in items:
        goals = "".join(f"<li>{e(g)}</li>" for g in x.goals)
        ex = f"<p><strong>Aufgaben:</strong> {e('; '.join(x.exercises))}</p>" if x.exercises else ""
        topics = (
            f"<p><strong>KI-Kompetenz:</strong> {e('; '.join(x.topics))}</p>" if x.topics else ""
        )
        title = e(x.title)
        if x.slug in links:
            title = f'<a href="{e(links[x.slug])}">{title}</a>'
        parts.append(
            f'<section class="dl-plan-lab" aria-labelledby="lab-{e(x.slug)}">'
            f'<h3 id="lab-{e(x.slug)}">{title}</h3>'
            f"<p>{e(x.summary)}</p><p><strong>Dauer:</strong> {x.duration_minutes} Minuten · "
            f"<strong>Zielgruppe:</strong> {e(x.audience)} · <strong>Niveau:</strong> {e(x.level)}"
            f"</p><p><strong>Lernziele:</strong></p><ul>{goals}</ul>{ex}{topics}</section>"
        )
    return (
        '<h2 id="workshops">Vorschläge für Workshops</h2>'
        "<p>Die Labs nach Niveau (Einstieg zuerst) und Dauer, mit einer Pause nach höchstens "
        f"{BREAK_EVERY} Minuten.</p>"
        + "".join(seqs)
        + '<h2 id="labs">Alle Labs</h2>'
        + "".join(parts)
    )


def plan_html(items: Sequence[Entry], issuer: str = "") -> str:
    """The plan as a self-contained, printable HTML page (lang de, no external files)."""
    by = f"<p>{html.escape(issuer)}</p>" if issuer else ""
    return f"""<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kursplan Datenlabor</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; max-width: 50rem;
  margin: 0 auto; padding: 1.5rem; line-height: 1.5; }}
h1 {{ color: #00557f; }} section {{ border-top: 1px solid #888; margin-top: 1.5rem; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #888; padding: .25rem .5rem; text-align: left; }}
caption {{ text-align: left; font-weight: bold; }}
@media print {{ section {{ break-inside: avoid; }} }}
</style></head>
<body><main>
<h1>Kursplan Datenlabor</h1>{by}
<p>{INTRO}</p>
{plan_body_html(items)}
</main></body></html>
"""


INTRO = (
    "Alle Experimentierräume mit Dauer, Zielgruppe, Niveau, Lernzielen, Aufgaben und den Themen "
    "der KI-Kompetenz nach Art. 4 KI-Verordnung."
)


def plan_pdf(items: Sequence[Entry], issuer: str = "") -> bytes:
    """The plan as PDF bytes (A4, DejaVu Sans)."""
    from .certificate import german_pdf

    pdf, para = german_pdf("Kursplan Datenlabor", margin=20, bottom=18, size=10, gap=1)

    pdf.start_section("Kursplan Datenlabor")
    para("Kursplan Datenlabor", 20, "B", 3, tag="H1")
    if issuer:
        para(issuer, 11, gap=3)
    for label, minutes in (
        ("Halbtags-Workshop", HALF_DAY_MINUTES),
        ("Ganztags-Workshop", FULL_DAY_MINUTES),
    ):
        pdf.start_section(label, level=1)
        para(f"Vorschlag {label}", 13, "B", tag="H2")
        for t, what in timetable(sequence(items, minutes)):
            para(f"{t}  {what}", 10, gap=0)
        pdf.ln(3)
    for x in items:
        pdf.start_section(x.title, level=1)
        para(x.title, 13, "B", tag="H2")
        para(
            f"Dauer: {x.duration_minutes} Minuten · Zielgruppe: {x.audience} · Niveau: {x.level}",
            9.5,
        )
        para(x.summary, 9.5)
        para("Lernziele:", 10, "B", 0, tag="H3")
        for g in x.goals:
            para(f"• {g}", 9.5, gap=0)
        if x.exercises:
            para(f"Aufgaben: {'; '.join(x.exercises)}", 9.5)
        if x.topics:
            para(f"KI-Kompetenz: {'; '.join(x.topics)}", 9.5)
        pdf.ln(3)
    return bytes(pdf.output())


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder."""
    path = Path(path)
    if not path.parent.is_dir():
        raise CoursePlanError(f"Den Ordner „{path.parent}“ gibt es nicht.")
    return _write_file(path, data)
