"""Keeping current: element sets and Earth orientation from their sources or from files.

- :mod:`~sahelsat.refresh.catalogues`: :func:`update_elements` (CelesTrak's GP service,
  Space-Track's ``gp`` class, or a mirror) and :func:`import_elements` (files brought by
  hand), into the :class:`~sahelsat.userdata.ElementStore`.
- :mod:`~sahelsat.refresh.eop`: :func:`update_eop` (IERS ``finals2000A.all``).
- :mod:`~sahelsat.refresh.status`: what each catalogue in use is, and the default start
  of a window (:func:`default_start`).
- :mod:`~sahelsat.refresh.sources`, :mod:`~sahelsat.refresh.http`,
  :mod:`~sahelsat.refresh.schedule`, :mod:`~sahelsat.refresh.defaults`: the sources,
  their usage rules and the HTTP client.

Nothing here runs unless asked: sahelsat downloads nothing at import or run time.
"""
