"""Emergency insertion: fewest displaced acquisitions, each with its reason."""

from __future__ import annotations

import pandas as pd
import pytest
from test_tasking_scheduler import late_contacts, opp, sat

from sahelsat.tasking.checker import check_plan
from sahelsat.tasking.problem import planning_problem
from sahelsat.tasking.replan import EmergencyInfeasible, insert_emergency
from sahelsat.tasking.scheduler import plan_acquisitions


@pytest.fixture
def committed():
    opps = [
        opp("a", "ra", 0, 50, value=5),
        opp("b", "rb", 100, 50, value=5),
        opp("c", "rc", 300, 50, value=5),
        opp("d", "rd", 1000, 50, value=1),
    ]
    problem = planning_problem(
        pd.DataFrame(opps), pd.DataFrame([sat(settle=0.0)]), pd.DataFrame(late_contacts("S1"))
    )
    plan = plan_acquisitions(problem, time_limit=5)
    assert plan.value == 16
    return plan


def test_emergency_displaces_the_fewest(committed):
    # e1 overlaps a and b; e2 overlaps only c: e2 is chosen, c alone is displaced.
    emergency = pd.DataFrame(
        [
            opp("e1", "flood", 20, 120, value=50, look=20),
            opp("e2", "flood", 290, 30, value=50, look=20),
        ]
    )
    out = insert_emergency(committed, emergency, time_limit=5)
    assert check_plan(out.plan.problem, out.plan.acquisitions, value=out.plan.value) == []
    assert out.emergency["opportunity"] == "e2"
    assert out.displaced["opportunity"].tolist() == ["c"]
    assert "overlaps" in out.displaced["reason"].iat[0]
    assert out.kept == 3
    assert set(out.plan.acquisitions["opportunity"]) == {"a", "b", "d", "e2"}


def test_emergency_that_cannot_fly_is_reported(committed):
    # after the last contact: it could never be downlinked
    emergency = pd.DataFrame([opp("e", "flood", 9000, 30, value=50)])
    with pytest.raises(EmergencyInfeasible, match="flood"):
        insert_emergency(committed, emergency, time_limit=5)
