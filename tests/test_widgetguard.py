"""Kernel-side guard of widget messages from public visitors (no server, no kernel)."""

from __future__ import annotations

import logging
import time

import ipywidgets as w
import pytest

from datenlabor import widgetguard


def update(widget: w.Widget, state, **extra) -> None:
    data = {"method": "update", "state": state, "buffer_paths": [], **extra}
    widgetguard.handle_visitor_msg(
        widget, {"content": {"comm_id": "x", "data": data}, "buffers": []}
    )


@pytest.fixture
def no_traceback(monkeypatch):
    """Fail if anything would reach the visitor: IPython's showtraceback or the notebook's streams."""
    from IPython.core.interactiveshell import InteractiveShell

    shown = []
    monkeypatch.setattr(InteractiveShell, "showtraceback", lambda *a, **k: shown.append(a))
    yield shown
    assert shown == []


ODD = [
    (lambda: w.Dropdown(options=["a", "b"]), {"index": -1}),
    (lambda: w.Dropdown(options=["a", "b"]), {"index": "x"}),
    (lambda: w.Dropdown(options=["a", "b"]), {"index": 1e308}),
    (lambda: w.Dropdown(options=["a", "b"]), {"index": True}),
    (lambda: w.SelectMultiple(options=["a", "b", "c"]), {"index": [999]}),
    (lambda: w.SelectMultiple(options=["a", "b", "c"]), {"index": [0, 0]}),
    (lambda: w.SelectMultiple(options=["a", "b", "c"]), {"index": 1}),
    (lambda: w.IntSlider(min=1, max=5), {"value": "2020; import os"}),
    (lambda: w.IntSlider(min=1, max=5), {"value": list(range(20_000))}),
    (lambda: w.IntSlider(min=1, max=5), "kein Zustand"),
]


@pytest.mark.parametrize(("make", "state"), ODD)
def test_odd_updates_are_dropped_silently(make, state, no_traceback, capfd):
    widget = make()
    before = widget.get_state()
    update(widget, state)
    assert widget.get_state() == before
    out, err = capfd.readouterr()
    assert out == ""
    assert "Traceback" not in err and "import os" not in err and err.count("\n") == 1
    assert "verworfen" in err  # one German line for the server log (sys.__stderr__)


def test_honest_updates_still_apply(no_traceback, capfd):
    dropdown = w.Dropdown(options=["a", "b"])
    update(dropdown, {"index": 1})
    assert dropdown.value == "b"
    several = w.SelectMultiple(options=["a", "b", "c"])
    update(several, {"index": [2, 0]})
    assert several.value == ("c", "a")
    slider = w.IntSlider(min=1, max=5)
    update(slider, {"value": 4})
    assert slider.value == 4
    clicks = []
    button = w.Button()
    button.on_click(clicks.append)
    widgetguard.handle_visitor_msg(
        button,
        {"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []},
    )
    assert clicks == [button]
    assert capfd.readouterr().err == ""


def test_an_observer_that_fails_shows_nothing(no_traceback, capfd):
    slider = w.IntSlider(min=1, max=5)

    def boom(change):
        raise RuntimeError("/geheimer/pfad")

    slider.observe(boom, names="value")
    update(slider, {"value": 3})
    err = capfd.readouterr().err
    assert "RuntimeError" in err and "/geheimer/pfad" not in err


def test_12000_repeated_indices_are_rejected_before_any_work(no_traceback, capfd):
    several = w.SelectMultiple(options=[f"Stadtteil {i}" for i in range(12)])
    calls = []
    several.observe(calls.append, names="value")
    start = time.perf_counter()
    update(several, {"index": list(range(12)) * 1000})
    took = time.perf_counter() - start
    assert calls == [] and several.index == ()
    assert took < 0.5, took  # generous: a check of the length, no trait work


def test_install_routes_comm_warnings_to_the_server_log_only(monkeypatch, capfd):
    for name in ("Comm", "ipykernel.comm"):
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "handlers", list(logger.handlers))
        monkeypatch.setattr(logger, "propagate", logger.propagate)
    monkeypatch.setattr(w.Widget, "_handle_msg", w.Widget._handle_msg)
    monkeypatch.setattr(widgetguard, "_installed", False)
    widgetguard.install()
    assert w.Widget._handle_msg is widgetguard.handle_visitor_msg
    logging.getLogger("Comm").warning("No such comm: %s", "besucher-id")
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "besucher-id" not in err and "No such comm" in err


def test_an_upload_with_its_buffer_still_arrives(no_traceback, capfd):
    upload = w.FileUpload(accept=".csv")
    state = {"value": [{"name": "a.csv", "type": "text/csv", "size": 4, "last_modified": 0}]}
    msg = {
        "content": {
            "data": {"method": "update", "state": state, "buffer_paths": [["value", 0, "content"]]}
        },
        "buffers": [memoryview(b"a;b\n")],
    }
    widgetguard.handle_visitor_msg(upload, msg)
    assert bytes(upload.value[0]["content"]) == b"a;b\n"
    assert capfd.readouterr().err == ""


def test_a_failing_comm_handler_logs_one_line_without_traceback(monkeypatch, capfd):
    logger = logging.getLogger("Comm")
    monkeypatch.setattr(logger, "handlers", [widgetguard._ServerLogHandler(logging.WARNING)])
    monkeypatch.setattr(logger, "propagate", False)
    try:
        raise RuntimeError("/geheimer/pfad")
    except RuntimeError:
        logger.error("Exception in comm_msg for %s", "besucher-id", exc_info=True)
    err = capfd.readouterr().err
    assert (
        err
        == "[datenlabor] Kernel-Nachricht verworfen: Exception in comm_msg for … (RuntimeError)\n"
    )


def test_invalid_kernel_messages_are_one_german_line():
    """Tryout #40: a replayed signed message logged a traceback per copy."""
    import logging

    from datenlabor.server.app import _closed_stream_filter
    from datenlabor.widgetguard import _InvalidMessageFilter

    try:
        raise ValueError("Duplicate Signature: b'abc'")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "IPKernelApp", logging.ERROR, "", 0, "Invalid Message", (), sys.exc_info()
        )
    assert _InvalidMessageFilter().filter(record)
    assert record.getMessage() == (
        "Ungültige Kernel-Nachricht verworfen (doppelte Signatur, eine wiederholte Nachricht)"
    )
    assert record.exc_info is None and "abc" not in record.getMessage()
    other = logging.LogRecord("IPKernelApp", logging.ERROR, "", 0, "Something else", (), None)
    assert _InvalidMessageFilter().filter(other) and other.msg == "Something else"
    closed = logging.LogRecord(
        "tornado.general", logging.WARNING, "", 0, "Got events for closed stream %s", ("s",), None
    )
    assert not _closed_stream_filter(closed)
