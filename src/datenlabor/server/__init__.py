"""The workshop app server (``datenlabor serve``): Voilà standalone, all labs, a gallery page.

Public by design, so it exposes only what an app page needs: no directory
tree, no contents API, no file downloads, no tracebacks. Only lab notebooks
from the catalogue can be rendered.

One module per concern:

* :mod:`.app` – the Voilà application subclass; every option is a trait there;
* :mod:`.launch` – command-line options generated from those traits, config
  file, banner, QR code, LAN address;
* :mod:`.handlers` – gallery, app page behind the session cap, German error
  pages, security headers on every response;
* :mod:`.admission` – session cap, reclaiming abandoned sessions, per-client
  limits and token bucket that favour visitors who connect;
* :mod:`.metrics` – ``/datenlabor/health`` and Prometheus metrics (loopback or token);
* :mod:`.pools` – when preheated pool kernels are refilled (injectable clock);
* :mod:`.kernelspecs` – app pages run in the sandbox kernel ``datenlabor-app``;
* :mod:`.branding` – name, logo and colours of the municipality;
* :mod:`.voila_compat` – the only module that touches Voilà internals.

App kernels are forked from one process that has the labs' libraries imported
(:mod:`datenlabor.forkserver`) and run in :mod:`datenlabor.sandbox`.
"""
