"""Optional: ask an OpenAI-compatible chat endpoint, for staff in JupyterLab or the CLI only.

Off unless the IT department configured an endpoint (Ollama, a llama.cpp
server, a state LLM platform) through environment variables:

``DATENLABOR_LLM_URL``
    base URL of the API, e.g. ``http://127.0.0.1:11434/v1``
``DATENLABOR_LLM_MODEL``
    model name as the endpoint knows it, e.g. ``llama3.1:8b``
``DATENLABOR_LLM_KEY`` (optional)
    bearer token, if the endpoint needs one

Nothing is downloaded, no model is loaded here: the endpoint does the work.
Never used in the public app server: :func:`ask` refuses to run in an app
kernel (``datenlabor.sandbox``), whatever the configuration says. A lab shows
:func:`privacy_notice` before it calls :func:`ask`.

Protocol: ``POST {url}/chat/completions`` with ``{"model", "messages",
"temperature"}``; the answer is ``choices[0].message.content`` (OpenAI chat
completions API, which Ollama and llama.cpp's server implement).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

from .errors import DatenlaborError

ENV_URL = "DATENLABOR_LLM_URL"
ENV_MODEL = "DATENLABOR_LLM_MODEL"
ENV_KEY = "DATENLABOR_LLM_KEY"
MAX_ANSWER_CHARS = 4000

SYSTEM_PROMPT = (
    "Du beantwortest Fragen von Bürgerinnen und Bürgern der Stadtverwaltung Musterstadt. "
    "Antworte kurz und nur mit dem, was in den Quellen steht. Nenne die Quelle in eckigen "
    "Klammern, z. B. [1]. Steht die Antwort nicht in den Quellen, sage das."
)


class LlmError(DatenlaborError):
    """Raised when the language-model endpoint is not allowed, not configured or fails."""


@dataclass(frozen=True)
class EndpointConfig:
    """Where to send questions: base URL (…/v1), model name, optional bearer token."""

    url: str
    model: str
    key: str | None = None

    @property
    def host(self) -> str:
        return urlparse(self.url).netloc


def in_public_app() -> bool:
    """True in a kernel of the public app server (started by ``datenlabor.sandbox``)."""
    # datenlabor.sandbox.main sets this argv[0] before it becomes the kernel (forked or not).
    return sys.argv[:1] == ["datenlabor-app-kernel"]


def load_config(environ: dict[str, str] | None = None) -> EndpointConfig | None:
    """The configured endpoint, or None if none is configured (the default).

    Raises :class:`LlmError` if the configuration is incomplete or the URL is not http(s).
    """
    env = os.environ if environ is None else environ
    url, model = (env.get(ENV_URL) or "").strip(), (env.get(ENV_MODEL) or "").strip()
    if not url and not model:
        return None
    if not url or not model:
        missing = ENV_URL if not url else ENV_MODEL
        raise LlmError(f"Sprachmodell halb eingerichtet: Die Angabe {missing} fehlt.")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise LlmError(
            f"{ENV_URL} „{url}“ ist keine http- oder https-Adresse "
            "(Beispiel: http://127.0.0.1:11434/v1)."
        )
    return EndpointConfig(url=url.rstrip("/"), model=model, key=(env.get(ENV_KEY) or None))


def privacy_notice(config: EndpointConfig, n_sources: int) -> str:
    """German data-protection notice shown before anything is sent (plain text)."""
    local = config.host.split(":")[0] in ("127.0.0.1", "localhost", "::1", "[::1]")
    where = (
        "an einen Dienst auf diesem Rechner"
        if local
        else f"über das Netz an den Rechner {config.host}"
    )
    return (
        f"Datenschutzhinweis: Ihre Frage und {n_sources} gefundene Absätze werden {where} "
        f"geschickt (Modell „{config.model}“). Schicken Sie keine personenbezogenen Daten "
        "(Namen, Adressen, Aktenzeichen), solange Ihre Datenschutzbeauftragte oder Ihr "
        "Datenschutzbeauftragter den Dienst nicht freigegeben hat. Was der Dienst mit den "
        "Daten macht, legt sein Betreiber fest."
    )


def build_messages(question: str, sources: list[str]) -> list[dict[str, str]]:
    """Chat messages: instructions, then the numbered sources and the question."""
    numbered = "\n\n".join(f"[{i}] {text}" for i, text in enumerate(sources, start=1))
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Quellen:\n{numbered}\n\nFrage: {question}"},
    ]


def ask(
    config: EndpointConfig,
    question: str,
    sources: list[str],
    *,
    temperature: float = 0.0,
    timeout: float = 60.0,
) -> str:
    """Send ``question`` with ``sources`` to the endpoint; return the answer text.

    Raises :class:`LlmError` (German) in the public app, on connection
    problems, HTTP errors and answers that are not chat completions.
    """
    if in_public_app():
        raise LlmError("Im öffentlichen App-Server werden keine Texte an Sprachmodelle geschickt.")
    body = json.dumps(
        {
            "model": config.model,
            "messages": build_messages(question, sources),
            "temperature": temperature,
            "stream": False,
        }
    ).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if config.key:
        headers["Authorization"] = f"Bearer {config.key}"
    request = urllib.request.Request(
        f"{config.url}/chat/completions", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = json.loads(response.read(2_000_000).decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise LlmError(
            f"Das Sprachmodell unter {config.host} hat die Anfrage abgelehnt (HTTP {exc.code}). "
            "Stimmen Adresse, Modellname und Zugangsschlüssel?"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LlmError(
            f"Das Sprachmodell unter {config.host} ist nicht erreichbar ({type(reason).__name__}). "
            "Läuft der Dienst? Die IT-Abteilung kann das prüfen."
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise LlmError(f"Die Antwort von {config.host} ist kein gültiges JSON.") from None
    try:
        answer = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LlmError(
            f"Die Antwort von {config.host} hat nicht den erwarteten Aufbau "
            "(OpenAI-kompatible Chat-Schnittstelle)."
        ) from None
    if not isinstance(answer, str):
        raise LlmError(f"Die Antwort von {config.host} enthält keinen Text.")
    return answer.strip()[:MAX_ANSWER_CHARS]
