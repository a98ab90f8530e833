"""Fails loudly when a Voilà internal that datenlabor.server.voila_compat relies on is gone."""

from __future__ import annotations

import importlib
import inspect
from importlib.metadata import version

import pytest
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from packaging.specifiers import SpecifierSet
from voila.app import Voila
from voila.voila_kernel_manager import voila_kernel_manager_factory

from datenlabor.server import voila_compat

POOL_CLASS = voila_kernel_manager_factory(AsyncMappingKernelManager, True, 0)


def test_installed_voila_is_the_tested_series():
    assert version("voila") in SpecifierSet(voila_compat.TESTED_VOILA), (
        f"Voilà {version('voila')} is not the series voila_compat was written for "
        f"({voila_compat.TESTED_VOILA}): check every entry of voila_compat.INTERNALS."
    )


@pytest.mark.parametrize("owner, name", voila_compat.INTERNALS)
def test_internal_still_exists(owner, name):
    if owner == "VoilaKernelManager":
        source = inspect.getsource(POOL_CLASS)
        assert name in source, f"Voilà's pool class no longer has {name}"
    else:
        module = importlib.import_module(owner)
        assert hasattr(module, name), f"{owner}.{name} is gone"


def test_pool_class_contract():
    """What PoolHooks assumes about Voilà's pool class, in Voilà's own source."""
    get = inspect.getsource(POOL_CLASS.get_rendered_notebook)
    assert "self._pools[notebook_name].pop(0)" in get  # the first entry is handed out
    assert "return render_task, renderer.rendered_cache, kernel_id" in get
    init = inspect.getsource(POOL_CLASS._initialize)
    assert "super().start_kernel(" in init  # pool kernels do not pass our start_kernel
    assert '"task": task' in init and '"kernel_id": kernel_id' in init
    assert "self._pools" in inspect.getsource(POOL_CLASS.__init__)
    assert list(inspect.signature(POOL_CLASS._initialize).parameters)[:3] == [
        "self",
        "notebook_path",
        "kernel_id",
    ]


def test_voila_builds_its_kernel_manager_in_init_settings():
    """build_kernel_manager replaces what init_settings created, before the web app exists."""
    source = inspect.getsource(Voila.init_settings)
    assert "self.kernel_manager = kernel_manager_class(" in source
    assert "kernel_manager=self.kernel_manager" in source
    start = inspect.getsource(Voila.start)
    assert start.index("self.init_settings()") < start.index("tornado.web.Application(")
