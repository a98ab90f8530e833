"""The JupyterHub platform of Datenlabor: many staff, personal workspaces, tenants.

One module per concern: :mod:`.tenants` (the tenant file), :mod:`.config` (JupyterHub
configuration from it), :mod:`.spawner` (one system user per person),
:mod:`.system` (accounts, tenant groups, removal), :mod:`.workspace` (copies of the
labs), :mod:`.singleuser` and :mod:`.appserver` (what runs as the person),
:mod:`.python` (an interpreter the accounts may run), :mod:`.launch` (``datenlabor hub``).
"""
