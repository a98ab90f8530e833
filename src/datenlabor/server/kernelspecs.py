"""Which kernel an app page gets: the notebooks' kernels map to the sandbox ``datenlabor-app``."""

from __future__ import annotations

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from traitlets import Dict

from ..paths import kernels_dir

APP_KERNEL = "datenlabor-app"


class AppKernelSpecManager(KernelSpecManager):
    """Maps the notebooks' kernel ``datenlabor`` (and python3) to the sandbox ``datenlabor-app``."""

    kernel_map = Dict(
        {"datenlabor": APP_KERNEL, "python3": APP_KERNEL},
        config=True,
        help="Kernel names in notebooks -> kernelspec used by the app server.",
    )

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        """The kernelspec for ``kernel_name`` after mapping; raises ``NoSuchKernel``."""
        target = self.kernel_map.get(kernel_name, kernel_name)
        try:
            return super().get_kernel_spec(target)
        except NoSuchKernel:
            if target != APP_KERNEL:
                raise
        # Not installed (fresh checkout): use the one in the repository.
        return KernelSpec.from_resource_dir(str(kernels_dir() / APP_KERNEL))
