"""Connectivity planning.

- ``itu``: ITU-R P-series propagation (one module per recommendation, digital maps),
  with :func:`sahelsat.comms.itu.total_attenuation` as the entry point;
- ``link``: link-budget kernels (geometry, antennas, noise, C/N0, combination);
- ``dvbs2``: DVB-S2/S2X MODCOD tables and the best MODCOD for an Es/N0;
- ``defaults``: Ku and Ka GEO (and Ku LEO) scenario numbers with their sources;
- ``budget``: the forward-link budget of a scenario;
- ``service``: settlement service planning, DTH footprints, beam/EIRP model, outputs;
- ``leo``: LEO links from best-server elevation statistics of the orbital core.
"""
