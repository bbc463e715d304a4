"""sahelsat: ground software for the Sahel regional satellite system.

The public entry points are imported here; each lives in its own module.
"""

from sahelsat.access import passes
from sahelsat.comms.itu import REVISIONS, total_attenuation
from sahelsat.coverage import coverage
from sahelsat.fleet import Fleet, catalogue, load_elements
from sahelsat.places import country_outlines, ground_stations, sites_table, towns

__all__ = [
    "Fleet",
    "catalogue",
    "coverage",
    "load_elements",
    "passes",
    "country_outlines",
    "ground_stations",
    "sites_table",
    "towns",
    "total_attenuation",
    "REVISIONS",
]
__version__ = "0.1.0"
