"""The optional OpenAI-compatible endpoint: off by default, never in the app, German errors."""

from __future__ import annotations

import socket
import sys

import pytest

from datenlabor.llm import EndpointConfig, LlmError, ask, load_config, privacy_notice
from tests.fake_llm import fake_endpoint


def test_off_by_default():
    assert load_config({}) is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATENLABOR_LLM_URL": "http://127.0.0.1:1/v1"}, "DATENLABOR_LLM_MODEL fehlt"),
        ({"DATENLABOR_LLM_MODEL": "m"}, "DATENLABOR_LLM_URL fehlt"),
        ({"DATENLABOR_LLM_URL": "file:///etc/passwd", "DATENLABOR_LLM_MODEL": "m"}, "keine http"),
    ],
)
def test_bad_configuration_is_a_german_message(env, message):
    with pytest.raises(LlmError, match=message):
        load_config(env)


def test_config_from_environment():
    cfg = load_config(
        {
            "DATENLABOR_LLM_URL": "http://127.0.0.1:11434/v1/",
            "DATENLABOR_LLM_MODEL": "llama3.1:8b",
            "DATENLABOR_LLM_KEY": "geheim",
        }
    )
    assert cfg == EndpointConfig("http://127.0.0.1:11434/v1", "llama3.1:8b", "geheim")


def test_ask_sends_question_and_sources_and_returns_the_answer():
    with fake_endpoint() as ep:
        cfg = EndpointConfig(ep.url, "testmodell", "schluessel")
        answer = ask(cfg, "Was kostet ein Urnengrab?", ["§ 2 Grabnutzung …", "§ 3 Bestattung …"])
    assert answer == "Laut Quelle [1]: Testantwort aus 2 Quellen."
    (request,) = ep.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "testmodell"
    user = request["body"]["messages"][-1]["content"]
    assert "[1] § 2 Grabnutzung" in user and "Frage: Was kostet ein Urnengrab?" in user
    assert request["headers"]["Authorization"] == "Bearer schluessel"


def test_notice_names_where_the_data_goes():
    local = privacy_notice(EndpointConfig("http://127.0.0.1:8080/v1", "m"), 3)
    assert local.startswith("Datenschutzhinweis:") and "auf diesem Rechner" in local
    remote = privacy_notice(EndpointConfig("https://llm.land.example/v1", "m"), 3)
    assert "llm.land.example" in remote and "3 gefundene Absätze" in remote


def test_never_in_the_public_app(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["datenlabor-app-kernel", "-f", "x.json"])
    with fake_endpoint() as ep:
        with pytest.raises(LlmError, match="öffentlichen App-Server"):
            ask(EndpointConfig(ep.url, "m"), "Frage", ["Quelle"])
    assert ep.requests == []


@pytest.mark.parametrize(
    ("status", "raw", "message"),
    [
        (404, None, "abgelehnt \\(HTTP 404\\)"),
        (500, None, "abgelehnt \\(HTTP 500\\)"),
        (200, b"kein json", "kein gültiges JSON"),
        (200, b'{"choices": []}', "nicht den erwarteten Aufbau"),
    ],
)
def test_endpoint_errors_are_german(status, raw, message):
    with fake_endpoint(status=status, raw=raw) as ep:
        with pytest.raises(LlmError, match=message):
            ask(EndpointConfig(ep.url, "m"), "Frage", ["Quelle"], timeout=10)


def test_unreachable_endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(LlmError, match="nicht erreichbar"):
        ask(EndpointConfig(f"http://127.0.0.1:{port}/v1", "m"), "Frage", ["Quelle"], timeout=5)
