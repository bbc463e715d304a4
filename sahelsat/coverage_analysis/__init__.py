"""Coverage and revisit of an area by a fleet: per-cell figures of merit, fast.

``coverage(fleet, area="AES", resolution_deg=0.1, start=..., stop=..., step_s=30,
min_elevation=25.0)`` returns an xarray Dataset over the (lat, lon) cell centres of the
area (NaN outside): percent of time covered, N-fold coverage, satellites in view,
revisit gaps (mean, max, percentiles), time to first coverage, response time, access
time; area-weighted aggregates in its attributes. Conventions: :mod:`.figures`.

Modules: :mod:`.areas` (grids, point sets, validation), :mod:`.kernel` (compiled
footprint-to-cells counting and per-cell state), :mod:`.figures` (figures of merit,
exact merging), :mod:`.engine` (the computation), :mod:`.distributed` (Dask),
:mod:`.outputs` (NetCDF, GeoTIFF, GeoJSON, CSV, PNG, text).

Running on a Dask cluster
-------------------------
Any cluster that runs ``dask.distributed`` with sahelsat installed (the same version)
on every worker will do. Start a scheduler and workers, e.g.::

    dask scheduler                                   # on the head node: tcp://HEAD:8786
    dask worker tcp://HEAD:8786 --nworkers 1 --nthreads 8   # on each compute node

(or ``dask_jobqueue.SLURMCluster``/``dask_kubernetes`` for batch systems), then either
``coverage(..., scheduler="tcp://HEAD:8786")``, ``coverage(..., client=Client(...))`` or
``sahelsat coverage starlink --scheduler tcp://HEAD:8786 ...``. The window is split in
time blocks (about three per worker); each worker propagates the fleet over its block
and returns a few integers per cell, merged exactly on the client. Give each worker
one process with several threads: the kernels use numba threads (one per Dask thread).
Workers need no shared file system: the area and element sets are sent to them.
"""

from sahelsat.coverage_analysis.areas import AreaError, Grid, PointSet, make_area
from sahelsat.coverage_analysis.engine import Sensor, coverage, weighted_mean
from sahelsat.coverage_analysis.figures import FIGURES

__all__ = [
    "AreaError",
    "FIGURES",
    "Grid",
    "PointSet",
    "Sensor",
    "coverage",
    "make_area",
    "weighted_mean",
]
