"""The deep-space grid kernel's runs start from the resonance state at the grid's first
instant: grids that cross the element sets' epochs, lie long after them, or run
backwards still give the reference C++ code's states (``Satrec.sgp4_array``)."""

import numpy as np
import pytest
from sgp4.api import Satrec

from sahelsat import propagate
from sahelsat.fleet import shipped_catalogue

_NS_PER_MIN = 60_000_000_000


def _reference_errors(fleet, rows, t_ns):
    """Largest position (km) and velocity (km/s) differences against the reference, and
    whether the error codes agree, for the deep rows ``rows``."""
    r, v, err = propagate.states(fleet.model, t_ns, itrf=False)
    days = t_ns // (1440 * _NS_PER_MIN)
    jd = 2440587.5 + days.astype(float)
    fr = (t_ns - days * 1440 * _NS_PER_MIN) / (1440 * _NS_PER_MIN)
    dr = dv = 0.0
    same = True
    for i in rows:
        e, rr, vv = Satrec.twoline2rv(*fleet.element_sets[i].tle_lines).sgp4_array(jd, fr)
        same &= bool((e == err[i]).all())
        ok = e == 0
        dr = max(dr, np.abs(r[i][ok] - rr[ok]).max(initial=0.0))
        dv = max(dv, np.abs(v[i][ok] - vv[ok]).max(initial=0.0))
    return dr, dv, same


@pytest.mark.parametrize(
    "offset_min, step_min, count",
    [(-3 * 1440, 13, 700), (200 * 1440, 7, 900), (5 * 1440, -11, 800)],
    ids=["across-epoch", "200-days-on", "backwards"],
)
def test_runs_from_the_first_instant_match_the_reference(offset_min, step_min, count):
    fleet = shipped_catalogue("geo")[::30] + shipped_catalogue("weather")
    model = fleet.model
    rows = np.flatnonzero(model.deep_compiled)
    assert len(rows) > 20
    # Relative to the first deep-space set's epoch, so the first grid crosses it.
    start = int(model.epoch_ns[rows[0]]) + offset_min * _NS_PER_MIN
    t_ns = start + np.arange(count, dtype=np.int64) * step_min * _NS_PER_MIN
    dr, dv, same = _reference_errors(fleet, rows, t_ns)
    assert same
    assert dr < 1e-6 and dv < 1e-6  # 1 mm, 1 mm/s
