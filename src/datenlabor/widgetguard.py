"""Widget messages from a public visitor: checked first, never answered with a traceback.

Installed by :mod:`datenlabor.sandbox` in every kernel of the public app server
(never in a staff JupyterLab kernel). Without it, ipywidgets answers an update
it cannot apply (``{"index": -1}`` to a Dropdown, ``{"value": "x"}`` to a
slider) with an iopub ``error`` message carrying the full traceback and server
paths (``Widget._handle_msg`` is wrapped in ``_show_traceback``), and the comm
package writes English warnings such as "No such comm" to the notebook's stderr,
which reaches the browser too. A crafted SelectMultiple update with 12 000
indices kept a kernel busy for more than two minutes.

:func:`install` replaces ``ipywidgets.Widget._handle_msg`` by
:func:`handle_visitor_msg`, which

* rejects, before any work, selection indices outside the options, more
  indices than options or repeated ones (SelectMultiple), and lists longer
  than :data:`MAX_ITEMS`;
* applies the rest like ipywidgets does and swallows any exception (after
  sending the widget's real state back, since ipywidgets echoes an update to
  the front end before it validates it);

and sends what is rejected or fails as one German line to the kernel's real
stderr (the server log) — the widget's name and the kind of error, never the
visitor's values. The visitor gets no answer at all.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

MAX_ITEMS = 10_000
"""Longest list a widget update may carry (a selection's bound is its number of options)."""

_installed = False


def _note(widget: Any, reason: str) -> None:
    """One line to the server log (the kernel's real stderr), nothing to the visitor."""
    try:
        name = type(widget).__name__
        sys.__stderr__.write(f"[datenlabor] Widget-Nachricht an {name} verworfen: {reason}\n")
        sys.__stderr__.flush()
    except Exception:  # noqa: BLE001, S110 - logging must never fail the kernel
        pass


def _is_index(value: Any, count: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < count


def check_update(widget: Any, state: Any) -> str | None:
    """Why the update ``state`` (from the front end) must not be applied, or ``None``.

    Cheap: at most one pass over an index list that is already known to be no
    longer than the widget's options. Reasons are German and contain no values.
    """
    if not isinstance(state, dict):
        return "kein Zustand"
    # keys that are no synced trait are ignored by ipywidgets' set_state
    for value in state.values():
        if isinstance(value, (list, tuple)) and len(value) > MAX_ITEMS:
            return "zu lange Liste"
    if "index" in state and hasattr(widget, "options"):
        return _check_index(widget, state["index"])
    return None


def _check_index(widget: Any, index: Any) -> str | None:
    from ipywidgets.widgets.widget_selection import _MultipleSelection

    count = len(widget.options)
    current = widget.index
    if isinstance(current, tuple):  # SelectMultiple, SelectionRangeSlider
        if not isinstance(index, list) or len(index) > count:
            return "ungültige Auswahl"
        if not all(_is_index(i, count) for i in index):
            return "Auswahl außerhalb der Optionen"
        if isinstance(widget, _MultipleSelection) and len(set(index)) != len(index):
            return "Auswahl mit Wiederholungen"
        return None
    if index is None or _is_index(index, count):
        return None
    return "Auswahl außerhalb der Optionen"


def handle_visitor_msg(self: Any, msg: dict) -> None:
    """``Widget._handle_msg`` for the public app: check, apply, never show a traceback."""
    try:
        data = msg["content"]["data"]
        method = data.get("method") if isinstance(data, dict) else None
        if method == "update":
            state = data.get("state")
            reason = check_update(self, state)
            if reason is not None:
                _note(self, reason)
                return
            if data.get("buffer_paths"):
                from ipywidgets.widgets.widget import _put_buffers

                _put_buffers(state, data["buffer_paths"], msg.get("buffers") or [])
            try:
                self.set_state(state)
            except Exception:
                # ipywidgets has echoed the value already: the front end gets the real one back
                self.send_state([key for key in state if key in self.keys])
                raise
        elif method == "request_state":
            self.send_state()
        elif method == "custom":
            if "content" in data:
                self._handle_custom_msg(data["content"], msg.get("buffers") or [])
        else:
            _note(self, "unbekannte Methode")
    except Exception as exc:  # noqa: BLE001 - a visitor never gets a traceback
        _note(self, type(exc).__name__)


class _ServerLogHandler(logging.Handler):
    """Log records of the comm machinery as one line on the real stderr, without values."""

    def emit(self, record: logging.LogRecord) -> None:
        kind = f" ({record.exc_info[0].__name__})" if record.exc_info and record.exc_info[0] else ""
        # record.msg is the constant template ("No such comm: %s"): the visitor's ids stay out
        text = re.sub(r"%\w", "…", str(record.msg).splitlines()[0]).strip()
        try:
            sys.__stderr__.write(f"[datenlabor] Kernel-Nachricht verworfen: {text}{kind}\n")
            sys.__stderr__.flush()
        except Exception:  # noqa: BLE001, S110
            pass


_SIGNATURE_PROBLEMS = {
    "Duplicate Signature": "doppelte Signatur, eine wiederholte Nachricht",
    "Invalid Signature": "ungültige Signatur",
}


class _InvalidMessageFilter(logging.Filter):
    """ipykernel's „Invalid Message“ with a full traceback becomes one German line.

    A replayed or forged message (tryout #40) otherwise fills the server log with
    tracebacks; what was wrong stays, the traceback and the message content go.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).rstrip(":").lower() != "invalid message":
            return True
        exc = record.exc_info[1] if record.exc_info else None
        why = next(
            (text for key, text in _SIGNATURE_PROBLEMS.items() if key in str(exc)),
            type(exc).__name__ if exc is not None else "unbekannt",
        )
        record.msg, record.args = "Ungültige Kernel-Nachricht verworfen (%s)", (why,)
        record.exc_info = record.exc_text = None
        return True


def install() -> None:
    """Guard widget messages and comm logs in this (public app) kernel; idempotent.

    Must run before the notebook creates its widgets (each widget registers
    ``self._handle_msg`` with its comm when it opens).
    """
    global _installed
    if _installed:
        return
    from ipywidgets import Widget

    Widget._handle_msg = handle_visitor_msg
    # "No such comm", "Exception in comm_msg", "Exception opening comm": otherwise
    # logging's last-resort handler writes them to sys.stderr, i.e. to the browser.
    handler = _ServerLogHandler(logging.WARNING)
    for name in ("Comm", "ipykernel.comm"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
    # the kernel application's log (traitlets names it after the class)
    logging.getLogger("IPKernelApp").addFilter(_InvalidMessageFilter())
    _installed = True
