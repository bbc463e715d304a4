"""Shared fixtures: paths to the shared data sets and a Skyfield timescale for references."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
EOP_CSV = Path(__file__).resolve().parents[1] / "sahelsat" / "data" / "eop" / "finals.csv"
#: The sources' URLs in every test that names no mirror: the discard port on loopback,
#: where nothing listens, so no test can reach the internet.
NOWHERE = "http://127.0.0.1:9"


@pytest.fixture(autouse=True, scope="session")
def _own_data_dir(tmp_path_factory):
    """Tests never read or write the user's data directory: element sets or an
    Earth-orientation table brought up to date there would change what the tests use.
    Tests that update data set their own ``SAHELSAT_DATA_DIR``."""
    patch = pytest.MonkeyPatch()
    patch.setenv("SAHELSAT_DATA_DIR", str(tmp_path_factory.mktemp("sahelsat-data")))
    for name in ("SAHELSAT_CELESTRAK_URL", "SAHELSAT_EOP_URL", "SAHELSAT_SPACETRACK_URL"):
        patch.setenv(name, NOWHERE)  # a source asked without a mirror is refused locally
    for name in ("SAHELSAT_SPACETRACK_IDENTITY", "SAHELSAT_SPACETRACK_PASSWORD",
                 "SAHELSAT_REFRESH_INTERVAL_H", "SAHELSAT_REFRESH_FLEETS"):  # fmt: skip
        patch.delenv(name, raising=False)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def skyfield_ts():
    """A Skyfield timescale fed with the same IERS values (UT1-UTC, polar motion) that
    sahelsat ships, so comparisons isolate the frame mathematics. Leap seconds come from
    Skyfield's own table."""
    from skyfield.api import load
    from skyfield.timelib import Timescale

    builtin = load.timescale()
    eop = pd.read_csv(EOP_CSV)
    jd_utc = eop["mjd_utc"].to_numpy() + 2400000.5
    tai_utc = builtin.leap_offsets[np.searchsorted(builtin.leap_dates, jd_utc, side="right") - 1]
    tt_minus_utc = tai_utc + 32.184
    daily_tt = jd_utc + tt_minus_utc / 86400.0
    delta_t = tt_minus_utc - eop["ut1_minus_utc_s"].to_numpy()
    ts = Timescale((daily_tt, delta_t), builtin.leap_dates, builtin.leap_offsets)
    ts.polar_motion_table = (daily_tt, eop["xp_arcsec"].to_numpy(), eop["yp_arcsec"].to_numpy())
    return ts
