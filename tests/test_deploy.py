"""The deployment files in deploy/: Kubernetes manifests against the bundled schemas,
the HAProxy configuration with ``haproxy -c``, the systemd unit with
``systemd-analyze verify``, the container image definition statically (it cannot be
built here: no container registry). All fast."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import haproxy_check

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S_VERSION = "1.30.0"


def manifests() -> dict[str, dict]:
    out = {}
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                out[doc["kind"]] = doc
    return out


def test_kubernetes_manifests_are_valid_against_the_schemas():
    import kubernetes_validate

    docs = manifests()
    assert set(docs) == {"Deployment", "Service", "Ingress", "PodDisruptionBudget"}
    for doc in docs.values():
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_deployment_has_limits_probes_and_an_unprivileged_user():
    spec = manifests()["Deployment"]["spec"]["template"]["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    (container,) = spec["containers"]
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert container["readinessProbe"]["httpGet"]["path"] == "/datenlabor/health"
    assert "tcpSocket" in container["livenessProbe"]  # a full server is alive, just not ready
    ingress = manifests()["Ingress"]["metadata"]["annotations"]
    assert ingress["nginx.ingress.kubernetes.io/affinity"] == "cookie"


def test_systemd_unit_runs_serve_as_an_unprivileged_user():
    text = (DEPLOY / "systemd" / "datenlabor.service").read_text(encoding="utf-8")
    assert "User=datenlabor" in text and "NoNewPrivileges=yes" in text
    assert "datenlabor serve" in text and "--vertrauenswuerdige-proxys 127.0.0.1" in text


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy (Debian-Paket) fehlt")
def test_haproxy_configuration_is_accepted_with_a_self_signed_certificate(tmp_path):
    text = (DEPLOY / "haproxy" / "haproxy.cfg").read_text(encoding="utf-8")
    assert "cookie DATENLABOR_SERVER insert" in text
    assert "uri /datenlabor/health" in text and "timeout tunnel" in text
    result = haproxy_check(DEPLOY / "haproxy" / "haproxy.cfg", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze fehlt")
def test_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    """The template unit as instance ``datenlabor@8871``; paths of /srv/datenlabor point at
    this checkout (verify checks that ExecStart is executable)."""
    import sys

    venv_bin = Path(sys.executable).parent
    assert (venv_bin / "datenlabor").exists()
    text = (DEPLOY / "systemd" / "datenlabor.service").read_text(encoding="utf-8")
    text = text.replace("/srv/datenlabor/.venv/bin/", f"{venv_bin}/")
    text = text.replace("/srv/datenlabor", str(tmp_path))
    (tmp_path / "datenlabor@.service").write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "./datenlabor@8871.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # unknown keys and other warnings go to stderr with exit code 0: none allowed
    assert not result.stderr.strip(), result.stderr


CONTAINERFILE = DEPLOY / "container" / "Containerfile"


def containerfile_stages() -> list[list[dict]]:
    """The instructions of the Containerfile (dockerfile-parse), split into build stages;
    the first list holds what comes before the first FROM (global ARGs)."""
    import io

    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(fileobj=io.BytesIO(CONTAINERFILE.read_bytes()))
    stages: list[list[dict]] = [[]]
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            stages.append([])
        stages[-1].append(instruction)
    return stages


def test_container_image_runs_only_the_server_as_an_unprivileged_user():
    import json

    stages = containerfile_stages()[1:]
    assert len(stages) == 2, "a build stage and a lean runtime stage"
    final = stages[-1]
    by_name: dict[str, list[str]] = {}
    for instruction in final:
        by_name.setdefault(instruction["instruction"], []).append(instruction["value"])
    # not root, the same UID as the Kubernetes Deployment
    (user,) = by_name["USER"]
    assert user.split(":")[0] not in ("root", "0")
    pod = manifests()["Deployment"]["spec"]["template"]["spec"]["securityContext"]
    assert user == f"{pod['runAsUser']}:{pod['runAsGroup']}"
    # only the app server: entrypoint `datenlabor`, command `serve` on the exposed port
    entrypoint = json.loads(by_name["ENTRYPOINT"][0])
    command = json.loads(by_name["CMD"][0])
    assert entrypoint == ["datenlabor"] and command[0] == "serve"
    port = command[command.index("--port") + 1]
    assert by_name["EXPOSE"] == [port]
    (health,) = by_name["HEALTHCHECK"]
    assert f"127.0.0.1:{port}/datenlabor/health" in health
    # the Deployment starts the image with the same command
    (container,) = manifests()["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert container["args"][0] == "serve"
    assert container["ports"][0]["containerPort"] == int(port)


def test_container_image_is_pinned_and_needs_no_network_at_runtime():
    import re

    text = CONTAINERFILE.read_text(encoding="utf-8")
    stages = containerfile_stages()
    # the base image is pinned by digest (a documented placeholder until the IT fills it in)
    preamble, stages = stages[0], stages[1:]
    (arg,) = [i["value"] for i in preamble if i["instruction"] == "ARG"]
    assert re.fullmatch(r"PYTHON_IMAGE=[\w./:-]+@sha256:[0-9a-f]{64}", arg), arg
    for stage in stages:
        assert stage[0]["value"].split()[0] == "${PYTHON_IMAGE}", stage[0]
    assert "<DIGEST>" in text  # how to pin it is written next to it
    # nothing piped from the network into a shell, no download tools
    assert not re.search(r"(curl|wget)[^\n|]*\|\s*(ba|z)?sh", text)
    runs = " ".join(i["value"] for stage in stages for i in stage if i["instruction"] == "RUN")
    assert not re.search(r"\b(curl|wget|apt-get|git clone)\b", runs), runs
    # the runtime stage installs nothing: it copies the built environment and the labs
    final_runs = [i["value"] for i in stages[-1] if i["instruction"] == "RUN"]
    assert not any("pip install" in r for r in final_runs), final_runs
    copied = " ".join(i["value"] for i in stages[-1] if i["instruction"] == "COPY")
    for folder in ("labs/", "datasets/", "kernels/"):
        assert folder in copied
    # fonts for the PDFs come with the package (no web fonts, no download at runtime)
    assert (ROOT / "src" / "datenlabor" / "fonts" / "DejaVuSans.ttf").is_file()
    # every folder the image copies exists in the repository
    for instruction in (i for stage in stages for i in stage if i["instruction"] == "COPY"):
        if "--from=" in instruction["value"]:
            continue
        for source in instruction["value"].split()[:-1]:
            if not source.startswith("--"):
                assert (ROOT / source).exists(), source


def test_every_data_file_of_the_package_is_installed_without_a_checkout():
    """The container image installs the package (not editable): files the package reads
    (templates, CSS, fonts, branding.yaml) must be package data in pyproject.toml."""
    import fnmatch

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["datenlabor"]
    package = ROOT / "src" / "datenlabor"
    missing = []
    for path in package.rglob("*"):
        rel = path.relative_to(package).as_posix()
        if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in rel:
            continue
        if not any(fnmatch.fnmatch(rel, p.replace("**/", "")) for p in patterns):
            missing.append(rel)
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
