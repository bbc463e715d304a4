"""Coverage on a Dask LocalCluster of two processes equals the in-process result."""

from __future__ import annotations

import numpy as np
import pytest

from sahelsat import catalogue
from sahelsat.coverage_analysis import coverage


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)  # fmt: skip
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_dask_equals_local(client):
    fleet = catalogue("starlink")[::80]
    kw = dict(area="BFA", resolution_deg=0.3, start="2026-05-30T00:00:00Z",
              stop="2026-05-30T04:00:00Z", step_s=60, min_elevation=25.0, window_s=7200,
              time_series=True, chunk_steps=40)  # fmt: skip
    local = coverage(fleet, **kw)
    remote = coverage(fleet, client=client, **kw)
    assert local.attrs["mean_n_gaps"] > 0  # gaps exist, some cross the block boundaries
    for name in local.data_vars:
        np.testing.assert_array_equal(local[name].values, remote[name].values, err_msg=name)
    by_address = coverage(fleet, scheduler=client.scheduler.address, **kw)
    np.testing.assert_array_equal(by_address["max_gap_s"].values, local["max_gap_s"].values)
