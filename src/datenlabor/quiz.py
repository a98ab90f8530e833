"""Knowledge questions at the end of an app (Wissensfragen), declared in lab.yaml.

Each lab lists 3–5 questions under ``quiz:``::

    quiz:
      - frage: Was zeigt der Median?
        antworten: [Den Durchschnitt, Den mittleren Wert, Den größten Wert]
        richtig: 1                 # Index (ab 0); eine Liste [0, 2] = Mehrfachauswahl
        erklaerung: Die eine Hälfte liegt darunter, die andere darüber.
      - frage: Wie viele Stadtteile hat Musterstadt?
        zahl: 12
        toleranz: 0                # erlaubte Abweichung (Vorgabe 0)
        erklaerung: Nach dem Bereinigen sind es 12.

The widgets live in the participant's kernel only; answers are never sent
anywhere, stored or logged. Feedback is written into a ``role="status"``
element (an ARIA live region) next to each question.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import Lab
from .errors import LabError
from .formatting import count

SINGLE, MULTIPLE, NUMBER = "einfach", "mehrfach", "zahl"
TEXT_STYLE = "font-size: 1rem; line-height: 1.5; margin: .75rem 0 .25rem"
"""Body-size text in HTML widgets (their default is a small UI font)."""
QUIZ_CSS = (
    "<style>"
    ".dl-quiz .widget-radio-box label{display:flex;gap:.5rem;align-items:flex-start;"
    "font-size:1rem;line-height:1.4;margin:.35rem 0;white-space:normal;}"
    ".dl-quiz .widget-radio-box input[type=radio]{width:1.25rem;height:1.25rem;flex:none;"
    "margin:.1rem 0 0;order:-1;}"
    ".dl-quiz .widget-radio-box{height:auto;}"
    "</style>"
)
"""Radio options as a readable list: the circle stays beside its whole (wrapped) text."""


def parse_number(value: Any) -> float | None:
    """A number from a number or German/English number text (``3,5``, ``1.234,5``); else None."""
    if isinstance(value, bool):
        return None
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()
        except (ValueError, TypeError):
            return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace("\u202f", "").replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            return float(text)
        except ValueError:
            return None
    return None


@dataclass
class Question:
    """One question: ``kind`` is einfach, mehrfach or zahl; ``correct`` holds indices or a number."""

    text: str
    kind: str
    options: list[str]
    correct: Any
    explanation: str
    tolerance: float = 0.0

    def grade(self, answer: Any) -> bool:
        """Whether ``answer`` (index, list of indices, or number/German number text) is right."""
        if self.kind == NUMBER:
            got = parse_number(answer)
            return got is not None and abs(got - float(self.correct)) <= self.tolerance + 1e-12
        if self.kind == MULTIPLE:
            return set(answer or ()) == set(self.correct)
        return answer == self.correct

    def solution_text(self) -> str:
        """The right answer in words (shown after an attempt)."""
        if self.kind == NUMBER:
            from .formatting import decimal

            return decimal(float(self.correct), 3)
        if self.kind == MULTIPLE:
            return "; ".join(self.options[i] for i in sorted(self.correct))
        return self.options[self.correct]


@dataclass
class QuizState:
    """What the participant answered in this session (memory only): question index -> right?"""

    total: int
    results: dict[int, bool] = field(default_factory=dict)

    @property
    def right(self) -> int:
        return sum(self.results.values())

    @property
    def answered(self) -> int:
        return len(self.results)

    def summary(self) -> str:
        """„3 von 4 Fragen richtig beantwortet“."""
        return f"{self.right} von {self.total} Fragen richtig beantwortet"


def questions(lab: Lab) -> list[Question]:
    """The lab's quiz questions from lab.yaml; :class:`LabError` names a malformed entry."""
    raw = lab.meta.get("quiz") or []
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise LabError(f"lab.yaml von „{lab.slug}“: „quiz“ muss eine Liste von Fragen sein.")
    out = []
    for number, item in enumerate(raw, start=1):
        where = f"lab.yaml von „{lab.slug}“, Frage {number}"
        if not isinstance(item, Mapping) or not str(item.get("frage") or "").strip():
            raise LabError(f"{where}: Angabe „frage“ fehlt.")
        explanation = str(item.get("erklaerung") or "").strip()
        if not explanation:
            raise LabError(f"{where}: Angabe „erklaerung“ fehlt (jede Antwort wird erklärt).")
        if "zahl" in item:
            if not isinstance(item["zahl"], int | float) or isinstance(item["zahl"], bool):
                raise LabError(f"{where}: „zahl“ muss eine Zahl sein.")
            out.append(
                Question(
                    str(item["frage"]),
                    NUMBER,
                    [],
                    item["zahl"],
                    explanation,
                    float(item.get("toleranz") or 0),
                )
            )
            continue
        options = [str(o) for o in item.get("antworten") or []]
        if len(options) < 2:
            raise LabError(f"{where}: mindestens zwei „antworten“ nötig.")
        correct = item.get("richtig")
        indices = correct if isinstance(correct, list) else [correct]
        if not indices or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(options)
            for i in indices
        ):
            raise LabError(
                f"{where}: „richtig“ muss die Nummer einer Antwort sein (ab 0) oder eine Liste davon."
            )
        kind = MULTIPLE if isinstance(correct, list) else SINGLE
        out.append(Question(str(item["frage"]), kind, options, correct, explanation))
    return out


def check_quiz(lab: Lab) -> list[str]:
    """Problems of the lab's quiz for ``datenlabor check`` (empty list: fine)."""
    try:
        qs = questions(lab)
    except LabError as exc:
        return [str(exc)]
    if qs and not 3 <= len(qs) <= 5:
        return [f"lab.yaml: Wissensfragen: {count(len(qs), 'Frage', 'Fragen')}, erwartet 3 bis 5."]
    return []


def _esc(text: str) -> str:
    return html.escape(text)


def _feedback(q: Question, right: bool) -> str:
    head = "Richtig." if right else f"Nicht ganz. Richtig ist: {q.solution_text()}."
    return f"{head} {q.explanation}"


def question_widgets(q: Question, number: int, state: QuizState) -> list[Any]:
    """One question as a list of ipywidgets: text, answer control(s), check button, live region.

    A flat list (no nested boxes), so the app's CSS puts each label above its control.
    """
    import ipywidgets as w

    full = {"layout": w.Layout(width="100%", max_width="36rem")}
    heading = w.HTML(
        f'<h3 class="dl-quiz-frage" style="{TEXT_STYLE}; font-weight: 600">'
        f"Frage {number}: {_esc(q.text)}</h3>"
    )
    if q.kind == SINGLE:
        control = w.RadioButtons(
            options=[(o, i) for i, o in enumerate(q.options)],
            value=None,
            description=f"Antwort auf Frage {number}",
            style={"description_width": "initial"},
            **full,
        )
        controls = [control]

        def answer() -> Any:
            return control.value
    elif q.kind == MULTIPLE:
        boxes = [w.Checkbox(value=False, description=o, indent=False, **full) for o in q.options]
        controls = [
            w.HTML(f'<p style="{TEXT_STYLE}">Mehrere Antworten können richtig sein.</p>'),
            *boxes,
        ]

        def answer() -> Any:
            return [i for i, b in enumerate(boxes) if b.value]
    else:
        control = w.Text(
            value="",
            description="Ihre Antwort (Zahl)",
            style={"description_width": "initial"},
            continuous_update=False,
            **full,
        )
        controls = [control]

        def answer() -> Any:
            return control.value

    button = w.Button(
        # the question in the visible name: three identical „Antwort prüfen“ buttons are
        # indistinguishable in a screen reader's list of buttons
        description=f"Antwort auf Frage {number} prüfen",
        layout=w.Layout(width="auto", max_width="36rem"),
    )
    button.add_class("dl-quiz-pruefen")
    live = w.HTML('<div role="status" aria-live="polite" class="dl-quiz-rueckmeldung"></div>')
    live.add_class("dl-quiz-live")

    def on_click(_button: Any) -> None:
        given = answer()
        if given is None or given == [] or (isinstance(given, str) and not given.strip()):
            message = "Bitte zuerst eine Antwort wählen oder eingeben."
        elif q.kind == NUMBER and _number_or_none(given) is None:
            message = "Bitte eine Zahl eingeben, zum Beispiel 12 oder 3,5."
        else:
            right = q.grade(given)
            state.results[number - 1] = right
            message = _feedback(q, right)
        live.value = (
            f'<div role="status" aria-live="polite" class="dl-quiz-rueckmeldung" '
            f'style="{TEXT_STYLE}">{_esc(message)}</div>'
        )

    button.on_click(on_click)
    return [heading, *controls, button, live]


def _number_or_none(text: Any) -> float | None:
    return parse_number(text)


def quiz_widget(lab: Lab, state: QuizState | None = None):
    """All questions of ``lab`` as one ipywidgets box (class ``datenlabor-app dl-quiz``)."""
    import ipywidgets as w

    qs = questions(lab)
    state = state or QuizState(total=len(qs))
    parts = [
        w.HTML(
            QUIZ_CSS
            + f'<h2>Wissensfragen</h2><p style="{TEXT_STYLE}">Prüfen Sie Ihr Verständnis. Ihre '
            "Antworten bleiben in diesem Browserfenster und werden nicht gespeichert.</p>"
        )
    ]
    for i, q in enumerate(qs, start=1):
        parts += question_widgets(q, i, state)
    box = w.VBox(parts, layout=w.Layout(width="100%"))
    box.add_class("datenlabor-app")
    box.add_class("dl-quiz")
    box.state = state
    return box
