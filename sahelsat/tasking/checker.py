"""An independent checker of acquisition plans.

It shares no code with the scheduler's model: it replays a plan acquisition by
acquisition in plain Python, with the conventions of :mod:`sahelsat.tasking.problem`, and
lists every violated rule. The tests run it on every plan the scheduler produces.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sahelsat.tasking.problem import PlanningProblem

#: Tolerance on times (s) and volumes (Gbit) and energies (Wh) for rounding.
EPS = 1e-6


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``kind`` (request, unknown, overlap, slew, energy, downlink,
    station, contact-volume, memory, value) and a sentence naming the items."""

    kind: str
    message: str


def check_plan(
    problem: PlanningProblem, acquisitions: pd.DataFrame, value: int | None = None
) -> list[Violation]:
    """Every violation of ``acquisitions`` (columns ``opportunity`` and ``contact``, the
    contact id or empty/None when not downlinked) against ``problem``. ``value``: the total
    the planner claims, checked when given (a request valued by coverage counts each piece
    of its area once, when a taken acquisition covers it). Returns [] for a valid plan."""
    out: list[Violation] = []
    opp = {r.opportunity: r for r in problem.opportunities.itertuples(index=False)}
    con = {r.contact: r for r in problem.contacts.itertuples(index=False)}
    sat = {r.satellite: r for r in problem.satellites.itertuples(index=False)}

    def sec(t) -> float:
        return (pd.Timestamp(t) - pd.Timestamp(problem.epoch)).total_seconds()

    rows = []
    for a in acquisitions.itertuples(index=False):
        o = opp.get(str(a.opportunity))
        if o is None:
            out.append(Violation("unknown", f"opportunity {a.opportunity!r} is not in the problem"))
            continue
        c = getattr(a, "contact", None)
        c = None if c is None or (isinstance(c, float) and np.isnan(c)) or c == "" else str(c)
        rows.append((o, c))

    # requests listed in the pieces are valued by coverage: several strips may serve them
    by_coverage = set(problem.pieces["request"].astype(str))
    served = defaultdict(list)
    for o, _ in rows:
        served[o.request].append(o.opportunity)
    for req, ids in served.items():
        if len(ids) > 1 and req not in by_coverage:
            out.append(Violation("request", f"request {req!r} acquired {len(ids)} times: {ids}"))

    by_sat = defaultdict(list)
    for o, c in rows:
        by_sat[o.satellite].append((sec(o.start), sec(o.end), o, c))
    for name, items in by_sat.items():
        s = sat[name]
        items.sort(key=lambda t: (t[0], t[1]))
        # every pair, not only neighbours: a long strip at one pointing may hide an
        # overlap with a later acquisition pointed elsewhere
        for i, (_, e0, o0, _) in enumerate(items):
            for s1, _, o1, _ in items[i + 1 :]:
                turn = abs(o1.look_angle_deg - o0.look_angle_deg)
                if turn <= 1e-6:
                    continue  # one pointing: the instrument keeps imaging
                if s1 < e0 - EPS:
                    out.append(
                        Violation(
                            "overlap",
                            f"{name}: {o0.opportunity!r} and {o1.opportunity!r} overlap in time",
                        )
                    )
                    continue
                need = s.settle_s + turn / s.slew_rate_deg_s
                if s1 - e0 < need - EPS:
                    out.append(
                        Violation(
                            "slew",
                            f"{name}: {s1 - e0:.1f} s from {o0.opportunity!r} to"
                            f" {o1.opportunity!r}, the manoeuvre needs {need:.1f} s",
                        )
                    )
        energy = defaultdict(float)
        for s0, _, o, _ in items:
            energy[int(np.floor(s0 / s.orbit_period_s))] += o.energy_wh
        for orbit, used in sorted(energy.items()):
            if used > s.energy_per_orbit_wh + EPS:
                out.append(
                    Violation(
                        "energy",
                        f"{name}: orbit {orbit} uses {used:.1f} Wh > {s.energy_per_orbit_wh} Wh",
                    )
                )

    load = defaultdict(float)
    for o, c in rows:
        if c is None:
            if problem.require_downlink:
                out.append(Violation("downlink", f"{o.opportunity!r} is never downlinked"))
            continue
        k = con.get(c)
        if k is None:
            out.append(Violation("unknown", f"contact {c!r} is not in the problem"))
            continue
        if k.satellite != o.satellite:
            out.append(
                Violation(
                    "downlink", f"{o.opportunity!r} ({o.satellite}) sent in {c!r} of {k.satellite}"
                )
            )
        if sec(k.start) < sec(o.end) - EPS:
            out.append(
                Violation("downlink", f"{o.opportunity!r} sent in contact {c!r} before it ends")
            )
        load[c] += o.volume_gbit
    for c, used in load.items():
        k = con[c]
        capacity = sat[k.satellite].downlink_rate_mbps * (sec(k.end) - sec(k.start)) / 1000.0
        if used > capacity + EPS:
            out.append(
                Violation(
                    "contact-volume", f"contact {c!r} carries {used:.3f} > {capacity:.3f} Gbit"
                )
            )
    by_station = defaultdict(list)
    for c in load:
        k = con[c]
        by_station[k.station].append((sec(k.start), sec(k.end), c))
    for station, spans in by_station.items():
        spans.sort()
        for (_, e0, c0), (s1, _, c1) in zip(spans, spans[1:], strict=False):
            if s1 < e0 - EPS:
                out.append(Violation("station", f"{station}: contacts {c0!r} and {c1!r} overlap"))

    for name, items in by_sat.items():
        events = []  # (time, order, delta): frees (order 0) before fills (order 1)
        for s0, _, o, c in items:
            events.append((s0, 1, o.volume_gbit))
            if c is not None and c in con:
                events.append((sec(con[c].end), 0, -o.volume_gbit))
        stored, peak, when = 0.0, 0.0, None
        for t, _, delta in sorted(events):
            stored += delta
            if stored > peak:
                peak, when = stored, t
        if peak > sat[name].memory_gbit + EPS:
            out.append(
                Violation(
                    "memory",
                    f"{name}: recorder holds {peak:.3f} Gbit > {sat[name].memory_gbit} Gbit"
                    f" at {when:.0f} s",
                )
            )

    if value is not None:
        # each acquisition counts its own value, except for requests valued by coverage:
        # there each piece of the area counts once if any acquisition taken covers it
        total = int(sum(o.value for o, _ in rows if o.request not in by_coverage))
        taken = {o.opportunity for o, _ in rows}
        pieces: dict[str, int] = {}
        for p in problem.pieces.itertuples(index=False):
            if p.opportunity in taken:
                pieces[p.piece] = int(p.value)
        total += sum(pieces.values())
        if total != int(value):
            out.append(Violation("value", f"claimed value {value} != {total} from the plan"))
    return out
