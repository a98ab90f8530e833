"""The deployment files in deploy/: Kubernetes manifests against the bundled schemas,
the HAProxy configuration with ``haproxy -c``, the systemd unit's essentials (fast)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import free_port

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
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    pem = tmp_path / "datenlabor.pem"
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    env = {
        **os.environ,
        "DATENLABOR_TLS_PEM": str(pem),
        "DATENLABOR_BIND": f"127.0.0.1:{free_port()}",  # haproxy -c checks, it does not bind
        "DATENLABOR_HTTP_BIND": f"127.0.0.1:{free_port()}",
    }
    result = subprocess.run(
        ["haproxy", "-c", "-f", str(DEPLOY / "haproxy" / "haproxy.cfg")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
