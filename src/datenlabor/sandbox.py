"""Kernel launcher for the public app server: resource limits and a throw-away folder.

Used by the kernelspec ``datenlabor-app``::

    python -m datenlabor.sandbox --memory-mb 1536 --cpu-seconds 1800 -- -f {connection_file}

Everything after ``--`` goes to ipykernel. Before the kernel starts, the
launcher

* caps address space, CPU time, size of written files and number of
  processes (``resource.setrlimit``), so one visitor cannot take the machine
  down (note: the process limit is not enforced for root);
* moves into a fresh temporary folder that is removed when the kernel ends,
  so nothing a participant does lands next to the notebooks;
* guards widget messages from the visitor (:mod:`datenlabor.widgetguard`):
  odd values are dropped silently, never answered with a traceback.

The limits only ever get lowered, never raised above what the server has.
"""

from __future__ import annotations

import argparse
import atexit
import os
import resource
import shutil
import sys
import tempfile

MB = 1024 * 1024


def _lower(limit: int, value: int) -> None:
    soft, hard = resource.getrlimit(limit)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(limit, (value, value if hard == resource.RLIM_INFINITY else hard))


def apply_limits(memory_mb: int, cpu_seconds: int, file_mb: int, processes: int) -> None:
    """Lower this process' resource limits (inherited by anything it starts)."""
    if memory_mb > 0:
        _lower(resource.RLIMIT_AS, memory_mb * MB)
    if cpu_seconds > 0:
        # soft limit: SIGXCPU ends the kernel; the hard limit is a little above
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        new_hard = (
            cpu_seconds + 10 if hard == resource.RLIM_INFINITY else min(hard, cpu_seconds + 10)
        )
        resource.setrlimit(resource.RLIMIT_CPU, (min(cpu_seconds, new_hard), new_hard))
    if file_mb > 0:
        _lower(resource.RLIMIT_FSIZE, file_mb * MB)
    if processes > 0:
        _lower(resource.RLIMIT_NPROC, processes)
    _lower(resource.RLIMIT_CORE, 0)


def enter_scratch_dir() -> str:
    """chdir into a new private temporary folder, removed again at exit."""
    # Relative path overrides (DATENLABOR_LABS=...) must keep pointing to the same place.
    from .paths import export_absolute

    export_absolute()
    folder = tempfile.mkdtemp(prefix="datenlabor-app-")
    os.chmod(folder, 0o700)
    os.chdir(folder)
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    if "--" in argv:
        cut = argv.index("--")
        own, rest = argv[:cut], argv[cut + 1 :]
    else:
        own, rest = [], argv
    parser = argparse.ArgumentParser(prog="python -m datenlabor.sandbox")
    parser.add_argument("--memory-mb", type=int, default=1536)
    parser.add_argument("--cpu-seconds", type=int, default=1800)
    parser.add_argument("--file-mb", type=int, default=16)
    parser.add_argument("--processes", type=int, default=256)
    return parser.parse_args(own), rest


def main(argv: list[str] | None = None) -> None:
    args, kernel_argv = parse(sys.argv[1:] if argv is None else argv)
    apply_limits(args.memory_mb, args.cpu_seconds, args.file_mb, args.processes)
    enter_scratch_dir()
    sys.argv = ["datenlabor-app-kernel", *kernel_argv]
    from ipykernel.kernelapp import launch_new_instance

    from .widgetguard import install

    install()  # visitors' widget messages: checked, never answered with a traceback

    launch_new_instance()


if __name__ == "__main__":
    main()
