"""sahelsat: ground software for the Sahel regional satellite system.

The public entry points are reachable here (``sahelsat.passes``, ``sahelsat.coverage``,
...); each lives in its own module, imported on first use so that the command line
starts fast.
"""

import importlib
import os
import sys

# Importing sahelsat changes nothing outside it (no environment variables, no matplotlib
# backend); process-wide tuning is the caller's choice: see prefer_wide_vectors().


def prefer_wide_vectors() -> bool:
    """Opt in: on CPUs with AVX-512, let numba's compiler use 512-bit vectors (LLVM
    prefers 256-bit ones on recent Intel server CPUs; the fused SGP4 kernels run about
    40 % faster with 512). Sets ``NUMBA_CPU_FEATURES`` for this process, so call it
    before anything is compiled. Returns whether it did; nothing happens without
    AVX-512 or when ``NUMBA_CPU_FEATURES`` is already set."""
    if "NUMBA_CPU_FEATURES" in os.environ:
        return False
    try:
        import llvmlite.binding as llvm

        features = llvm.get_host_cpu_features()
    except (ImportError, RuntimeError):
        return False
    if not features.get("avx512f"):
        return False
    value = features.flatten() + ",-prefer-256-bit"
    os.environ["NUMBA_CPU_FEATURES"] = value
    config = sys.modules.get("numba.core.config")
    if config is not None and not config.CPU_FEATURES:
        config.CPU_FEATURES = value
    return True


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
