"""sahelsat: ground software for the Sahel regional satellite system.

The public entry points are reachable here (``sahelsat.passes``, ``sahelsat.coverage``,
...); each lives in its own module, imported on first use so that the command line
starts fast.
"""

import importlib

_EXPORTS = {
    "Fleet": "sahelsat.fleet",
    "catalogue": "sahelsat.fleet",
    "load_elements": "sahelsat.fleet",
    "passes": "sahelsat.access",
    "coverage": "sahelsat.coverage_analysis",
    "country_outlines": "sahelsat.places",
    "ground_stations": "sahelsat.places",
    "sites_table": "sahelsat.places",
    "towns": "sahelsat.places",
    "total_attenuation": "sahelsat.comms.itu",
    "REVISIONS": "sahelsat.comms.itu",
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sahelsat' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
