"""Open data portals: ``datenlabor daten holen URL`` and ``datenlabor daten beschreiben DATEI``.

``fetch`` takes the address of a dataset on a CKAN portal (GovData and most
German municipal portals run CKAN with DCAT-AP.de metadata), of its Action API
call, or of a CSV file, and writes ``datasets/<id>/`` as a Frictionless data
package: title, description, source, publisher, licence with the attribution
text it requires, the CSV file byte for byte as downloaded, and a schema the
German reader inferred (``datapackage.infer_resource``).

Addresses understood:

* ``https://portal/api/3/action/package_show?id=NAME`` (the Action API, as
  documented at https://docs.ckan.org/en/latest/api/),
* ``https://portal/dataset/NAME`` and ``…/dataset/NAME/resource/ID`` (the
  dataset page; the API call is derived from it), and GovData's detail pages
  ``https://www.govdata.de/suche/daten/NAME`` (asked at ``GOVDATA_API``),
* any other ``http(s)`` address: downloaded as a CSV file.

CKAN answers ``{"success": true, "result": {...}}``; errors come as
``{"success": false, "error": {"__type": "Not Found Error", ...}}``, often with
HTTP 404/403/409. Every failure (unreachable host, timeout, HTTP error, not a
CKAN answer, no CSV resource, no licence, file too large) raises
``PortalError`` with a German message before anything is written; the
package folder is written atomically (``datapackage.write_package_folder``).

HTTP goes through ``requests`` with a connect and read timeout and a streamed,
size-limited download.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from .datapackage import (
    DESCRIPTION_PLACEHOLDER,
    Licence,
    attribution_text,
    check_target,
    find_licence,
    infer_resource,
    licence_from_option,
    licence_names,
    now_iso,
    package_json,
    slug,
    write_file_atomic,
    write_package_folder,
)
from .errors import CsvError, DatenlaborError, PortalError

DEFAULT_MAX_MB = 20
"""Default size limit of a downloaded file in MB (the CSV reader's limit, ``csvfiles.MAX_BYTES``)."""

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for a connection and between two pieces of an answer."""

METADATA_MAX_BYTES = 5 * 1024 * 1024
"""A CKAN answer larger than this is not a dataset description."""

USER_AGENT = "datenlabor/0.1 (Experimentierraum fuer Kommunen; python-requests)"

_API_PATH = re.compile(r"/api/(?:3/)?action/package_show/?$")
_DATASET_PATH = re.compile(
    r"^(?P<base>.*?)/dataset/(?P<name>[^/]+)(?:/resource/(?P<res>[^/]+))?/?$"
)
_GOVDATA_PAGE = re.compile(r"^/(?:suche/daten|web/guest/suchen/-/details)/(?P<name>[^/?#]+)/?$")
GOVDATA_API = "https://ckan.govdata.de/api/3/action/package_show"
"""GovData's detail pages are not CKAN pages; its CKAN Action API answers here."""
_CSV_FORMATS = {"csv", "text/csv", ".csv", "csv-datei"}


@dataclass
class Fetched:
    """What ``fetch`` wrote: the folder, the descriptor and German lines for the person."""

    folder: Path
    descriptor: dict[str, Any]
    lines: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- HTTP


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _session() -> Any:
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.trust_env = True
    return session


def _get(session: Any, url: str, timeout: float, what: str, accept: str = "*/*") -> Any:
    """GET ``url`` streamed; every network and HTTP failure as a German ``PortalError``."""
    import requests

    try:
        response = session.get(
            url, timeout=(timeout, timeout), stream=True, headers={"Accept": accept}
        )
    except requests.exceptions.Timeout:
        raise PortalError(
            f"{what}: Der Server {_host(url)} antwortet nicht innerhalb von "
            f"{_seconds(timeout)} Sekunden. Bitte später noch einmal versuchen "
            "(oder mit --zeitlimit länger warten)."
        ) from None
    except requests.exceptions.SSLError:
        raise PortalError(
            f"{what}: Die sichere Verbindung zu {_host(url)} ließ sich nicht prüfen "
            "(Zertifikat ungültig oder unbekannt)."
        ) from None
    except requests.exceptions.TooManyRedirects:
        raise PortalError(f"{what}: {_host(url)} leitet endlos weiter.") from None
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema):
        raise PortalError(f"„{url}“ ist keine gültige Internetadresse.") from None
    except requests.exceptions.ConnectionError:
        raise PortalError(
            f"{what}: Der Server {_host(url)} ist nicht erreichbar. Stimmt die Adresse, "
            "besteht eine Verbindung ins Internet (oder braucht es einen Proxy)?"
        ) from None
    except requests.exceptions.RequestException as exc:
        raise PortalError(
            f"{what}: Die Anfrage an {_host(url)} ist fehlgeschlagen ({type(exc).__name__})."
        ) from None
    if response.status_code >= 400:
        code = response.status_code
        response.close()
        if code == 404:
            reason = "gibt es dort nicht (HTTP 404). Bitte die Adresse prüfen."
        elif code in (401, 403):
            reason = (
                f"ist nicht frei zugänglich (HTTP {code}). Vielleicht ist der Datensatz "
                "nicht öffentlich."
            )
        elif code == 429:
            reason = "wird gerade zu oft abgefragt (HTTP 429). Bitte später noch einmal versuchen."
        elif code >= 500:
            reason = (
                f"ist gerade nicht abrufbar: Der Server meldet einen Fehler (HTTP {code}). "
                "Bitte später noch einmal versuchen."
            )
        else:
            reason = f"wurde abgelehnt (HTTP {code})."
        raise PortalError(f"{what} unter {url} {reason}")
    return response


def _stream(response: Any, write: Any, limit: int, what: str, progress: bool) -> int:
    """Copy the body to ``write`` in pieces, at most ``limit`` bytes; German errors; bytes copied."""
    import requests

    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        response.close()
        raise PortalError(
            f"{what} ist {_mb(int(length))} groß, erlaubt sind höchstens {_mb(limit)}. "
            "Mit --hoechstgroesse MB lässt sich die Grenze anheben."
        )
    bar = None
    if progress:
        from tqdm import tqdm

        total = int(length) if length and length.isdigit() else None
        bar = tqdm(
            total=total,
            unit="B",
            file=sys.stderr,
            dynamic_ncols=True,
            leave=False,
            desc="Herunterladen",
            bar_format="{desc} |{bar}| [{elapsed} vergangen, noch etwa {remaining}]"
            if total
            else "{desc} [{elapsed} vergangen]",
        )
    copied = 0
    try:
        for chunk in response.iter_content(64 * 1024):
            copied += len(chunk)
            if copied > limit:
                raise PortalError(
                    f"{what} ist größer als {_mb(limit)} (Download abgebrochen). "
                    "Mit --hoechstgroesse MB lässt sich die Grenze anheben."
                )
            write(chunk)
            if bar is not None:
                of = f" von {_mb(bar.total)}" if bar.total else ""
                bar.set_description_str(f"Herunterladen: {_mb(copied)}{of}", refresh=False)
                bar.update(len(chunk))
    except requests.exceptions.RequestException:
        raise PortalError(
            f"{what}: Die Verbindung brach während des Herunterladens ab oder der Server "
            "antwortete zu lange nicht. Bitte noch einmal versuchen."
        ) from None
    finally:
        response.close()
        if bar is not None:
            bar.close()
    return copied


def _seconds(value: float) -> str:
    from .formatting import decimal

    return decimal(value, 1)


def _mb(n: int) -> str:
    from .formatting import decimal

    if n < 1024 * 1024:
        return f"{decimal(n / 1024, 1)} KB"
    return f"{decimal(n / 1024 / 1024, 1)} MB"


# --------------------------------------------------------------------------- CKAN


def _api_call(url: str) -> tuple[str, str | None] | None:
    """``(package_show URL, resource id or None)`` for a CKAN address; ``None`` for anything else."""
    parts = urlsplit(url)
    if _API_PATH.search(parts.path):
        return url, None
    govdata = _GOVDATA_PAGE.match(parts.path)
    if parts.netloc.lower() in ("www.govdata.de", "govdata.de") and govdata:
        return f"{GOVDATA_API}?id={govdata['name']}", None
    match = _DATASET_PATH.match(parts.path)
    if not match:
        return None
    base = f"{parts.scheme}://{parts.netloc}{match['base']}"
    api = f"{base}/api/3/action/package_show?id={match['name']}"
    return api, (unquote(match["res"]) if match["res"] else None)


def _package_show(session: Any, api: str, timeout: float) -> dict[str, Any]:
    """The ``result`` of a package_show call; German errors for HTTP, JSON and CKAN failures."""
    import json

    name = (parse_qs(urlsplit(api).query).get("id") or ["?"])[0]
    what = f"Der Datensatz „{name}“"
    body = bytearray()
    _stream(
        _get(session, api, timeout, what, accept="application/json"),
        body.extend,
        METADATA_MAX_BYTES,
        "Die Antwort des Portals",
        progress=False,
    )
    try:
        answer = json.loads(bytes(body).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise PortalError(
            f"Die Antwort von {_host(api)} ist kein gültiges JSON. Ist das ein CKAN-Portal? "
            "Erwartet wird eine Adresse wie https://portal/dataset/NAME oder der direkte Link "
            "zu einer CSV-Datei."
        ) from None
    if not isinstance(answer, dict) or "success" not in answer:
        raise PortalError(
            f"{_host(api)} antwortet nicht wie ein CKAN-Portal (es fehlt „success“). Erwartet "
            "wird eine Adresse wie https://portal/dataset/NAME oder der direkte Link zu einer "
            "CSV-Datei."
        )
    if answer.get("success") is not True:
        kind = str((answer.get("error") or {}).get("__type", ""))
        if kind == "Not Found Error":
            raise PortalError(f"Den Datensatz „{name}“ gibt es im Portal {_host(api)} nicht.")
        if kind == "Authorization Error":
            raise PortalError(f"Der Datensatz „{name}“ ist nicht öffentlich (kein Zugriff).")
        raise PortalError(f"Das Portal {_host(api)} hat die Anfrage nach „{name}“ abgelehnt.")
    result = answer.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("resources"), list):
        raise PortalError(
            f"Die Antwort von {_host(api)} beschreibt keinen Datensatz (es fehlen „result“ "
            "oder „resources“)."
        )
    return result


def _is_csv(resource: dict[str, Any]) -> bool:
    fmt = str(resource.get("format") or "").strip().lower()
    mime = str(resource.get("mimetype") or "").strip().lower()
    path = urlsplit(str(resource.get("url") or "")).path.lower()
    return fmt in _CSV_FORMATS or mime == "text/csv" or (not fmt and path.endswith(".csv"))


def _resource_label(number: int, resource: dict[str, Any]) -> str:
    name = resource.get("name") or Path(urlsplit(str(resource.get("url") or "")).path).name
    fmt = resource.get("format") or "?"
    return f"{number}: {name} ({fmt})"


def choose_resource(
    resources: list[dict[str, Any]], wanted: str | None, dataset: str
) -> dict[str, Any]:
    """The CSV resource to fetch: the only one, or the one ``wanted`` names (number, name or id).

    Raises ``PortalError`` listing the resources when there is no CSV, when
    several fit and none was chosen, or when ``wanted`` matches nothing.
    """
    csvs = [r for r in resources if isinstance(r, dict) and _is_csv(r)]
    listing = "; ".join(_resource_label(i, r) for i, r in enumerate(csvs, 1))
    if not csvs:
        formats = sorted(
            {str(r.get("format") or "ohne Angabe") for r in resources if isinstance(r, dict)}
        )
        found = ", ".join(formats) if formats else "keine Dateien"
        raise PortalError(
            f"Der Datensatz „{dataset}“ enthält keine CSV-Datei (vorhanden: {found}). "
            "Das Datenlabor holt nur CSV-Dateien."
        )
    if wanted:
        key = wanted.strip()
        if key.isdigit() and 1 <= int(key) <= len(csvs):
            return csvs[int(key) - 1]
        for r in csvs:
            if key in (str(r.get("id")), str(r.get("name"))):
                return r
        for r in resources:
            if isinstance(r, dict) and key in (str(r.get("id")), str(r.get("name"))):
                raise PortalError(
                    f"Die Datei „{key}“ ist keine CSV-Datei (Format: {r.get('format') or '?'}). "
                    f"CSV-Dateien im Datensatz: {listing}."
                )
        raise PortalError(
            f"Im Datensatz „{dataset}“ gibt es keine CSV-Datei „{key}“. Vorhanden: {listing}."
        )
    if len(csvs) > 1:
        raise PortalError(
            f"Der Datensatz „{dataset}“ enthält {len(csvs)} CSV-Dateien: {listing}. "
            "Bitte eine mit --ressource NUMMER wählen (z. B. --ressource 1)."
        )
    return csvs[0]


def _extra(result: dict[str, Any], key: str) -> str:
    for item in result.get("extras") or []:
        if isinstance(item, dict) and item.get("key") == key:
            return str(item.get("value") or "")
    return str(result.get(key) or "")


def _publisher(result: dict[str, Any]) -> str:
    org = result.get("organization") or {}
    for value in (
        _extra(result, "publisher_name"),
        org.get("title") if isinstance(org, dict) else "",
        result.get("author"),
        result.get("maintainer"),
    ):
        if value:
            return str(value).strip()
    return ""


def _licence_of(
    result: dict[str, Any], resource: dict[str, Any], override: str | None
) -> tuple[Licence | None, dict[str, str], list[str]]:
    """Licence of the resource (DCAT-AP.de: per distribution) or the dataset; German notes."""
    if override:
        lic = licence_from_option(override)
        return lic, lic.descriptor(), [f"Lizenz wie angegeben: {lic.title}."]
    given = [
        str(v).strip()
        for v in (resource.get("license"), _extra(result, "license"), result.get("license_id"))
        if v and str(v).strip().lower() not in ("notspecified", "license-not-specified")
    ]
    for value in given:
        lic = find_licence(value)
        if lic:
            return lic, lic.descriptor(), []
    if given:  # named, but not one we know: keep what the portal says, ask to check
        title = str(result.get("license_title") or given[0])
        entry = {"title": title}
        link = str(result.get("license_url") or "")
        if link.startswith("http"):
            entry["path"] = link
        elif given[0].startswith("http"):
            entry["path"] = given[0]
        if re.fullmatch(r"[A-Za-z0-9.\-]+", given[0]):
            entry["name"] = given[0]
        note = (
            f"Die Lizenz „{title}“ ist nicht unter den bekannten offenen Lizenzen "
            f"({licence_names()}). Bitte die Bedingungen selbst prüfen, bevor die Daten "
            "weitergegeben werden."
        )
        return None, entry, [note]
    raise PortalError(
        "Der Datensatz nennt keine Lizenz. Ohne Lizenz ist unklar, ob und wie die Daten "
        "verwendet werden dürfen. Bitte beim Portal nachfragen; ist die Lizenz bekannt, mit "
        f"--lizenz angeben (möglich: {licence_names()})."
    )


# --------------------------------------------------------------------------- fetch


def check_url(url: str) -> None:
    """Only ``http``/``https`` addresses with a host; ``PortalError`` otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PortalError(
            f"„{url}“ ist keine Internetadresse (erwartet: https://…). Für eine Datei auf "
            "diesem Rechner: datenlabor daten beschreiben DATEI."
        )


def _file_name(url: str, fallback: str) -> str:
    name = Path(unquote(urlsplit(url).path)).name
    stem = slug(Path(name).stem, fallback) if name else fallback
    return f"{stem}.csv"


def fetch(
    url: str,
    target: Path | None = None,
    *,
    resource: str | None = None,
    licence: str | None = None,
    replace: bool = False,
    max_mb: float = DEFAULT_MAX_MB,
    timeout: float = DEFAULT_TIMEOUT,
    progress: bool = False,
) -> Fetched:
    """Fetch a dataset (CKAN address or CSV link) into ``target`` as a Frictionless package.

    ``target`` defaults to ``datasets/<id>`` with ``<id>`` from the CKAN name
    or the file name. ``resource`` picks one of several CSV files (number,
    name or id), ``licence`` gives or overrides the licence (``dl-de/by-2-0``
    …), ``max_mb`` limits the download, ``timeout`` is per connection step in
    seconds. Returns ``Fetched``; raises ``PortalError`` (German) for every
    failure, leaving nothing behind, and when ``target`` exists without
    ``replace``.
    """
    from .paths import datasets_dir

    url = url.strip()
    check_url(url)
    if max_mb <= 0:
        raise PortalError("--hoechstgroesse muss größer als 0 sein.")
    if timeout <= 0:
        raise PortalError("--zeitlimit muss größer als 0 sein.")
    if licence:
        licence_from_option(licence)  # a typo fails before the network is asked
    limit = int(max_mb * 1024 * 1024)
    if target is not None:
        _check_folder(Path(target), replace)
    session = _session()
    ckan = _api_call(url)
    notes: list[str] = []
    if ckan:
        api, resource_id = ckan
        result = _package_show(session, api, timeout)
        dataset_name = str(result.get("name") or result.get("id") or "datensatz")
        title = str(result.get("title") or dataset_name)
        chosen = choose_resource(result["resources"], resource or resource_id, title)
        lic, lic_entry, notes = _licence_of(result, chosen, licence)
        download = urljoin(api, str(chosen.get("url") or ""))
        if not download.startswith(("http://", "https://")):
            raise PortalError(f"Die CSV-Datei „{chosen.get('name')}“ hat keine Internetadresse.")
        size = chosen.get("size")
        if isinstance(size, int | float) and size > limit:
            raise PortalError(
                f"Die Datei „{chosen.get('name') or download}“ ist laut Portal {_mb(int(size))} "
                f"groß, erlaubt sind höchstens {_mb(limit)}. Mit --hoechstgroesse MB lässt sich "
                "die Grenze anheben."
            )
        if _API_PATH.search(urlsplit(url).path):
            page = f"{api.split('/api/', 1)[0]}/dataset/{dataset_name}"
        else:  # the page the person opened (also GovData's own detail page)
            page = url
        publisher = _publisher(result)
        given = str(chosen.get("licenseAttributionByText") or "") or _extra(
            result, "licenseAttributionByText"
        )
        descriptor: dict[str, Any] = {
            "name": slug(dataset_name),
            "title": title,
            "description": str(result.get("notes") or "").strip() or DESCRIPTION_PLACEHOLDER,
            "homepage": page,
            "keywords": [
                str(t.get("display_name") or t.get("name"))
                for t in result.get("tags") or []
                if isinstance(t, dict) and (t.get("display_name") or t.get("name"))
            ],
            "sources": [{"title": f"{publisher or _host(page)} ({_host(page)})", "path": page}],
            "licenses": [lic_entry],
        }
        if result.get("url") and str(result["url"]).startswith("http"):
            descriptor["sources"].append({"title": "Ursprüngliche Quelle", "path": result["url"]})
        if publisher:
            descriptor["contributors"] = [{"title": publisher, "role": "publisher"}]
        modified = result.get("metadata_modified")
        if modified:
            descriptor["modified"] = str(modified)
        resource_title = str(chosen.get("name") or "")
        resource_description = str(chosen.get("description") or "")
        default_id = slug(dataset_name)
        file_name = _file_name(download, default_id)
    else:
        if not licence:
            raise PortalError(
                "Eine einzelne CSV-Adresse nennt keine Lizenz. Bitte mit --lizenz angeben, "
                f"unter welcher Lizenz die Datei steht (möglich: {licence_names()}), oder die "
                "Adresse des Datensatzes im Portal (https://portal/dataset/NAME) verwenden."
            )
        lic = licence_from_option(licence)
        download = url
        file_name = _file_name(url, "datensatz")
        default_id = Path(file_name).stem
        page = url
        publisher = ""
        given = ""
        title = Path(unquote(urlsplit(url).path)).name or _host(url)
        descriptor = {
            "name": default_id,
            "title": title,
            "description": DESCRIPTION_PLACEHOLDER,
            "homepage": url,
            "sources": [{"title": _host(url), "path": url}],
            "licenses": [lic.descriptor()],
        }
        resource_title = title
        resource_description = ""
    target = Path(target) if target is not None else datasets_dir() / default_id
    _check_folder(target, replace)
    descriptor["name"] = slug(target.name, default_id)
    if lic is None or lic.attribution or given:
        descriptor["attribution"] = attribution_text(lic, publisher, title, page, given)
    descriptor["created"] = now_iso()
    lines: list[str] = []

    def fill(tmp: Path) -> dict[str, Any]:
        path = tmp / file_name
        what = f"Die Datei {download}"
        response = _get(session, download, timeout, what, accept="text/csv, */*;q=0.5")
        kind = str(response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind in ("text/html", "application/xhtml+xml"):
            response.close()
            raise PortalError(
                f"{download} liefert eine Webseite, keine CSV-Datei. Bitte die Adresse des "
                "Datensatzes im Portal (https://portal/dataset/NAME) oder den direkten Link "
                "zur CSV-Datei angeben."
            )
        with open(path, "wb") as fh:
            size = _stream(response, fh.write, limit, what, progress)
        if size == 0:
            raise PortalError(f"{download} liefert eine leere Datei.")
        try:
            inferred = infer_resource(
                path, slug(Path(file_name).stem), resource_title, max_bytes=limit
            )
        except CsvError as exc:
            raise PortalError(
                f"Die heruntergeladene Datei ist keine lesbare CSV-Tabelle: {exc}"
            ) from None
        res = inferred.resource
        if resource_description:
            res["description"] = resource_description
        res["sources"] = [{"title": "Heruntergeladen", "path": download}]
        lines.extend(
            [
                f"Datei: {file_name} ({_mb(size)}, unverändert gespeichert)",
                *(f"  {line}" for line in inferred.findings),
                "Spalten: " + ", ".join(_column_lines(res)),
                *_personal_lines(inferred.personal),
            ]
        )
        return {**descriptor, "resources": [res]}

    written = write_package_folder(target, fill, replace=replace)
    head = [f"Datensatz „{title}“ gespeichert in {target}"]
    lic_title = written["licenses"][0].get("title", "")
    head.append(f"Quelle: {page}")
    head.append(f"Lizenz: {lic_title}")
    if written.get("attribution"):
        head.append(f"Namensnennung: {written['attribution']}")
    tail = [*notes, *_todo(written)]
    columns = [f["name"] for f in written["resources"][0]["schema"]["fields"]]
    tail += _next_steps(target / file_name, columns)
    return Fetched(target, written, head + lines + tail)


def fitting_labs(columns: list[str]) -> list[str]:
    """Slugs of the labs whose own-data table these columns fill without a mapping.

    Only the column names are compared (``columns.resolve``: same name, umlaut
    spellings, synonyms); whether a lab accepts the table's shape is decided
    by ``datenlabor daten pruefen``. The quality lab, which takes any CSV, is
    not listed. Never raises: a lab that cannot be inspected is left out.
    """
    from .catalog import discover
    from .columns import OPTIONAL_MAY_BE_MISSING, resolve
    from .datasets import resource
    from .running import own_data_options

    fits = []
    try:
        labs = discover()
    except DatenlaborError:
        return []
    for lab in labs:
        names = [n for n, p in lab.parameters.items() if p.kind == "csv"]
        if not names or lab.parameters[names[0]].extra.get("any_csv"):
            continue
        try:
            extra = lab.parameters[names[0]].extra
            dataset_id = extra.get("dataset") or lab.datasets[0]
            table = own_data_options(lab, {}, names[0])["table"]
            fields = resource(dataset_id, table).get("schema", {}).get("fields", [])
            resolve(fields, columns, "", dataset_id in OPTIONAL_MAY_BE_MISSING)
        except (DatenlaborError, IndexError, KeyError):
            continue
        fits.append(lab.slug)
    return fits


def _next_steps(path: Path, columns: list[str]) -> list[str]:
    labs = fitting_labs(columns)
    if not labs:
        return [
            f"Nächster Schritt: datenlabor daten pruefen LAB {path} "
            "(kein Lab passt ohne Spaltenzuordnung; „daten pruefen“ schlägt sie vor)"
        ]
    return ["Passende Labs (Spalten ohne Zuordnung gefunden): " + ", ".join(labs)] + [
        f"Nächster Schritt: datenlabor daten pruefen {labs[0]} {path}"
    ]


def _check_folder(target: Path, replace: bool) -> None:
    check_target(target, replace)


def _column_lines(resource: dict[str, Any]) -> list[str]:
    names = {
        "integer": "Ganzzahl",
        "number": "Zahl",
        "date": "Datum",
        "datetime": "Zeitpunkt",
        "string": "Text",
    }
    return [
        f"{f['name']} ({names.get(f['type'], f['type'])})" for f in resource["schema"]["fields"]
    ]


def _todo(descriptor: dict[str, Any]) -> list[str]:
    """German reminders of what is still a placeholder in the package."""
    todo = []
    if descriptor.get("description") == DESCRIPTION_PLACEHOLDER:
        todo.append("Beschreibung des Datensatzes („description“)")
    if not descriptor.get("licenses"):
        todo.append("Lizenz („licenses“, z. B. mit --lizenz dl-de/zero-2-0)")
    todo.append("Bedeutung und Einheit jeder Spalte („description“ der Felder)")
    return ["Noch zu ergänzen in datapackage.json: " + "; ".join(todo) + "."]


# --------------------------------------------------------------------------- describe


def describe_local(
    path: Path,
    target: Path | None = None,
    *,
    title: str | None = None,
    licence: str | None = None,
    publisher: str | None = None,
    source: str | None = None,
    lesen: str = "",
    replace: bool = False,
) -> Fetched:
    """Describe a local CSV file as a Frictionless package (DCAT-AP.de fields), atomically.

    Without ``target`` the descriptor is written as ``datapackage.json`` next to
    the file; with ``target`` a package folder is created holding a byte-identical
    copy of the file. Title defaults to the file name; description and field
    descriptions are German placeholders for the person who documents the
    export. ``licence`` (``dl-de/zero-2-0`` …) and ``publisher`` fill the
    licence and attribution. Raises ``PortalError`` or ``CsvError`` (German).
    """
    import shutil

    path = Path(path).expanduser()
    if path.is_dir():
        raise PortalError(f"„{path}“ ist ein Ordner, keine Datei.")
    if not path.is_file():
        raise PortalError(f"Die Datei „{path}“ gibt es nicht.")
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        raise PortalError(
            f"„{path.name}“ ist keine CSV-Datei. Beschrieben werden CSV-Dateien (.csv)."
        )
    lic = licence_from_option(licence) if licence else None
    name = slug(path.stem)
    title = title or path.stem
    descriptor: dict[str, Any] = {
        "name": slug(target.name) if target else name,
        "title": title,
        "description": DESCRIPTION_PLACEHOLDER,
        "keywords": [],
    }
    if source:
        descriptor["sources"] = [{"title": publisher or _host(source), "path": source}]
    elif publisher:
        descriptor["sources"] = [{"title": publisher}]
    if publisher:
        descriptor["contributors"] = [{"title": publisher, "role": "publisher"}]
    if lic:
        descriptor["licenses"] = [lic.descriptor()]
        if lic.attribution:
            descriptor["attribution"] = attribution_text(lic, publisher or "", title, source or "")
    descriptor["created"] = now_iso()
    if target is None:
        out = path.parent / "datapackage.json"
        if out.exists() and not replace:
            raise PortalError(
                f"„{out}“ gibt es schon. Mit --ersetzen wird die Datei ersetzt, oder mit --ziel "
                "einen eigenen Ordner für das Paket wählen."
            )
        inferred = infer_resource(path, name, title, lesen=lesen)
        written = {**descriptor, "resources": [inferred.resource]}
        write_file_atomic(out, package_json(written), replace=replace)
        folder = path.parent
        where = out
    else:
        target = Path(target)
        _check_folder(target, replace)
        holder: dict[str, Any] = {}

        def fill(tmp: Path) -> dict[str, Any]:
            copy = tmp / path.name
            shutil.copyfile(path, copy)
            holder["inferred"] = infer_resource(copy, name, title, lesen=lesen)
            return {**descriptor, "resources": [holder["inferred"].resource]}

        written = write_package_folder(target, fill, replace=replace)
        inferred = holder["inferred"]
        folder = target
        where = target / "datapackage.json"
    lines = [f"Beschreibung von „{path.name}“ geschrieben: {where}"]
    lines += [f"  {line}" for line in inferred.findings]
    lines.append("Spalten: " + ", ".join(_column_lines(inferred.resource)))
    if lic:
        lines.append(f"Lizenz: {lic.title}")
    lines += _todo(written)
    lines += _personal_lines(inferred.personal)
    columns = [f["name"] for f in inferred.resource["schema"]["fields"]]
    lines += _next_steps(folder / path.name, columns)
    return Fetched(folder, written, lines)


def _personal_lines(flagged: dict[str, str]) -> list[str]:
    """German warning about columns that look like personal data, before anything is published."""
    if not flagged:
        return []
    from .personal import DSGVO_NOTE

    return [
        "Möglicher Personenbezug: " + ", ".join(f"{c} ({w})" for c, w in flagged.items()),
        DSGVO_NOTE,
    ]
