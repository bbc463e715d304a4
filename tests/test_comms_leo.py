"""LEO user links from the orbital core's best-server elevation statistics."""

import numpy as np
import pytest

from sahelsat import catalogue
from sahelsat.comms import leo
from sahelsat.comms.defaults import LEO_KU


def test_pfd_mask_and_eirp_hand_values():
    np.testing.assert_allclose(leo.pfd_mask_dbw_m2_4khz([0.0, 5.0, 15.0, 25.0, 60.0]),
                               [-150.0, -150.0, -145.0, -140.0, -140.0])  # fmt: skip
    # -140 + 10 log10(4 pi (1e6 m)^2) + 10 log10(250e6 / 4e3)
    # = -140 + 130.992 + 47.959 = 38.951 dBW
    assert leo.pfd_limited_eirp_dbw(30.0, 1000.0, 250e6) == pytest.approx(38.951, abs=1e-3)


@pytest.fixture(scope="module")
def oneweb_link():
    fleet = catalogue("oneweb")[:120]
    times = np.datetime64("2026-05-30T00:00", "ns") + np.arange(0, 7200, 120).astype(
        "timedelta64[s]"
    )
    site = ("Gao", 16.27, -0.04, 250.0)
    return fleet, site, times, leo.leo_link(fleet, site, times)


def test_elevation_statistics(oneweb_link):
    fleet, site, times, r = oneweb_link
    e = r.elevations
    assert 0.0 <= r.visible_percent <= 100.0
    assert e["time_percent"].sum() == pytest.approx(r.visible_percent)
    assert (e["elevation_deg"] >= LEO_KU.min_elevation_deg - 1).all()
    # the best server is the highest of all satellites, as Fleet.look_angles gives them
    _, el, _ = fleet.look_angles([site], times)
    best_el, _ = leo.best_server(fleet, site, times)
    np.testing.assert_allclose(best_el, np.nanmax(el[0], axis=0))
    # availability can never exceed the share of time a satellite is in view
    assert r.availability_percent <= r.visible_percent + 1e-9
    assert r.outage_minutes == pytest.approx((100 - r.availability_percent) / 100 * 525_960)


def test_higher_throughput_never_more_available(oneweb_link):
    fleet, site, times, r = oneweb_link
    hard = leo.leo_link(fleet, site, times, throughput_mbps=700.0)
    assert hard.availability_percent <= r.availability_percent
    with pytest.raises(ValueError, match="availability"):
        leo.leo_link(fleet, site, times, availability=100.0)
