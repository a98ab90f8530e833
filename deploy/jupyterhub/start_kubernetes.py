#!/usr/bin/env python3
"""Start of a person's server in a Kubernetes pod (Zero to JupyterHub, see values.yaml).

Installed in the single-user image as ``datenlabor-start`` (Containerfile). The hub passes
the person's groups in ``DATENLABOR_GRUPPEN`` (``hub.extraConfig`` in values.yaml); the tenant
file is the ConfigMap mounted at ``DATENLABOR_MANDANTEN``. This picks the tenant exactly as
the platform's own spawner does (:meth:`Platform.tenant_for_groups`), assembles its lab
selection from the read-only installation into ``/tmp``, sets the same environment as
``DatenlaborSpawner.start`` and replaces itself with ``python -m datenlabor.hub.singleuser``
(workspace copy, welcome page, German JupyterLab). German message and exit 1 for a person
without tenant group or for an invalid tenant file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ASSEMBLED = Path("/tmp/datenlabor-mandant")


def main(argv: list[str]) -> int:
    from datenlabor.errors import DatenlaborError
    from datenlabor.hub.system import assemble_tenant_labs
    from datenlabor.hub.tenants import load_tenants
    from datenlabor.paths import labs_dir

    tenant_file = os.environ.get("DATENLABOR_MANDANTEN", "/etc/datenlabor/mandanten.yaml")
    groups = {g for g in os.environ.get("DATENLABOR_GRUPPEN", "").split(",") if g}
    try:
        platform = load_tenants(tenant_file)
        tenant = platform.tenant_for_groups(groups)
        if tenant is None and platform.admin_group not in groups:
            print(
                f"„{os.environ.get('JUPYTERHUB_USER', '')}“ gehört zu keinem Mandanten; bitte die "
                "Verwaltung bitten, die Person einer Mandanten-Gruppe zuzuordnen.",
                file=sys.stderr,
            )
            return 1
        if tenant is None:  # administrators see every lab of the installation
            labs = labs_dir()
        else:
            ASSEMBLED.mkdir(mode=0o700, exist_ok=True)
            labs = assemble_tenant_labs(platform, tenant, ASSEMBLED, labs_dir())
    except DatenlaborError as error:
        print(str(error), file=sys.stderr)
        return 1
    home = Path.home()
    os.environ.update(
        {
            "DATENLABOR_LABS": str(home / "labs"),
            "DATENLABOR_RUNS": str(home / "runs"),
            "DATENLABOR_MANDANT": tenant.key if tenant else "",
            "DATENLABOR_MANDANT_NAME": tenant.name if tenant else "Verwaltung",
            "DATENLABOR_MANDANT_LABS": str(labs),
            "DATENLABOR_PLATTFORM": platform.title,
            "PYTHONNOUSERSITE": "1",
        }
    )
    if tenant is not None and tenant.branding:
        os.environ["DATENLABOR_BRANDING"] = str(tenant.branding)
    os.execv(sys.executable, [sys.executable, "-m", "datenlabor.hub.singleuser", *argv])
    return 0  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
