"""The SPOT5 daily photograph scheduling benchmark (Bensana et al., Constraints 4, 1999).

:func:`read_spot5` parses a ``.spot`` file into a :class:`Spot5Instance`; :func:`solve_spot5`
maps it onto the shared selection core (:mod:`sahelsat.tasking.selection`): one option per
(photograph, domain value), at most one option per photograph, each forbidden tuple a
clause, the recorder capacity a knapsack row. :func:`check_spot5` verifies a selection.

Format quirks (see ``shared/data/spot5/README.md``): some files carry extra integers after a
photograph's domain (ignored); multi-orbit files end with a one-token capacity line that
is counted among the constraint lines; consumptions are multiples of about 451.15.

The recorder limit of the multi-orbit instances has two readings, and the rule applied is
always said (``recorder``): ``units`` (the default), ``sum(round(consumption / 451.15))
<= 200``, which the published values follow; or ``literal``, ``sum(consumption) <=
90000`` as the file writes it (199 units of 451.15: instance 1403's best drops from
176,141 to 176,140, 1504's from 124,243 to 124,242).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sahelsat.tasking.selection import (
    SelectionProblem,
    greedy_selection,
    solve_selection,
    window_search,
)

#: Recorder consumption of one unit in the multi-orbit files, and the capacity in units
#: that the published values of Bensana et al. (1999) follow.
CONSUMPTION_UNIT = 451.15
CAPACITY_UNITS = 200
#: Readings of the recorder limit: in units (the published values) or as written.
RECORDER_RULES = ("units", "literal")
#: Literal consumptions are counted in thousandths in the solver (rounded against it).
_LITERAL_SCALE = 1000.0

#: Domain values: 1 front, 2 middle, 3 rear instrument (mono), 13 front + rear (stereo).
DOMAIN_VALUES = (1, 2, 3, 13)


class Spot5FormatError(ValueError):
    """A ``.spot`` file that cannot be read: names the file, line and field."""


@dataclass
class Spot5Instance:
    """One SPOT5 instance.

    ``photo_id``, ``weight``: (P,) int64. Options (one per photograph and domain value):
    ``option_photo`` (n,) index into the photographs, ``option_value`` (n,) domain value,
    ``option_units`` (n,) recorder units. ``constraints``: list of ``(photos (k,),
    forbidden (t, k))`` pairs (photograph indices, forbidden value tuples).
    ``capacity_units``: recorder capacity in units, or None for single-orbit instances.
    ``option_consumption`` (n,): the file's consumptions; ``capacity_literal``: the
    file's capacity token; ``recorder``: the rule applied (``units`` or ``literal``), None
    for single-orbit instances.
    """

    name: str
    photo_id: np.ndarray
    weight: np.ndarray
    option_photo: np.ndarray
    option_value: np.ndarray
    option_units: np.ndarray
    constraints: list[tuple[np.ndarray, np.ndarray]]
    capacity_units: int | None
    option_consumption: np.ndarray | None = None
    capacity_literal: float | None = None
    recorder: str | None = None

    @property
    def n_photographs(self) -> int:
        return int(self.photo_id.size)

    def to_problem(self) -> SelectionProblem:
        """The instance as a :class:`SelectionProblem` over its (photograph, value) options."""
        index = {
            (int(p), int(v)): i
            for i, (p, v) in enumerate(zip(self.option_photo, self.option_value, strict=True))
        }
        by_arity: dict[int, list[list[int]]] = {}
        for photos, forbidden in self.constraints:
            for tup in forbidden.tolist():
                row = [index.get((int(p), v)) for p, v in zip(photos, tup, strict=True)]
                if None in row:  # a value outside a photograph's domain never binds
                    continue
                row = sorted(set(row))
                if len(set(self.option_photo[row].tolist())) < len(row):
                    continue  # two values of one photograph: never taken together anyway
                by_arity.setdefault(len(row), []).append(row)
        conflicts = [np.array(rows, dtype=np.int64) for _, rows in sorted(by_arity.items())]
        knapsacks = []
        if self.recorder == "literal":
            knapsacks.append(self._literal_knapsack())
        elif self.capacity_units is not None:
            knapsacks.append((self.option_units, self.capacity_units))
        return SelectionProblem(
            value=self.weight[self.option_photo],
            group=self.option_photo,
            conflicts=conflicts,
            knapsacks=knapsacks,
        )

    def _literal_knapsack(self) -> tuple[np.ndarray, int]:
        """The recorder row read as written. In whole units when the units decide it
        alone: with every consumption between ``lo`` and ``hi`` per unit, ``k`` units
        always fit when ``k * hi <= capacity`` and never when ``k * lo > capacity``; if
        one ``k`` does both, the row is ``sum(units) <= k`` (the same selections, a much
        tighter model). Else in thousandths, consumptions rounded up, capacity down."""
        use, units, cap = self.option_consumption, self.option_units, float(self.capacity_literal)
        some = units > 0
        if some.any() and np.all(use[~some] == 0):
            per_unit = use[some] / units[some]
            k = int(np.floor(cap / per_unit.max()))
            if (k + 1) * per_unit.min() > cap:
                return units, k
        scaled = np.ceil(use * _LITERAL_SCALE - 1e-6).astype(np.int64)
        return scaled, int(np.floor(cap * _LITERAL_SCALE))


def _tokens(line: str, where: str, field: str) -> list[int | float]:
    out: list[int | float] = []
    for tok in line.split():
        try:
            out.append(int(tok))
        except ValueError:
            try:
                out.append(float(tok))
            except ValueError:
                raise Spot5FormatError(f"{where}: {field}: {tok!r} is not a number") from None
    return out


def read_spot5(path: str | Path, recorder: str = "units") -> Spot5Instance:
    """Parse the SPOT5 file ``path``; ``recorder``: the reading of a multi-orbit recorder
    limit (``units`` or ``literal``, see the module text). Raises
    :class:`Spot5FormatError` naming file and line."""
    if recorder not in RECORDER_RULES:
        raise ValueError(f"recorder must be one of {RECORDER_RULES}, not {recorder!r}")
    path = Path(path)
    try:
        raw = path.read_text().splitlines()
    except OSError as exc:
        raise Spot5FormatError(f"{path}: cannot read: {exc.strerror}") from None
    lines = [(no, text) for no, text in enumerate(raw, start=1) if text.strip()]
    pos = 0

    def take(field: str) -> tuple[str, list[int | float]]:
        nonlocal pos
        if pos >= len(lines):
            raise Spot5FormatError(f"{path}: ends early; expected {field}")
        no, text = lines[pos]
        pos += 1
        where = f"{path}:{no}"
        return where, _tokens(text, where, field)

    where, head = take("the number of photographs")
    if len(head) != 1 or not isinstance(head[0], int) or head[0] < 0:
        raise Spot5FormatError(f"{where}: expected the number of photographs, got {head}")
    n_photos = head[0]
    photo_id, weight, opt_photo, opt_value, opt_units, opt_use = [], [], [], [], [], []
    row_of: dict[int, int] = {}
    for p in range(n_photos):
        where, t = take(f"photograph {p} of {n_photos}")
        if len(t) < 3 or not all(isinstance(v, int) for v in t[:3]):
            raise Spot5FormatError(f"{where}: expected 'id weight k value consumption ...'")
        pid, w, k = t[0], t[1], t[2]
        if k < 1 or len(t) < 3 + 2 * k:
            raise Spot5FormatError(f"{where}: photograph {pid}: domain of {k} values incomplete")
        if pid in row_of:
            raise Spot5FormatError(f"{where}: photograph id {pid} repeated")
        row_of[pid] = p
        photo_id.append(pid)
        weight.append(w)
        for j in range(k):
            value, consumption = t[3 + 2 * j], t[4 + 2 * j]
            if value not in DOMAIN_VALUES:
                raise Spot5FormatError(
                    f"{where}: photograph {pid}: domain value {value} not in {DOMAIN_VALUES}"
                )
            opt_photo.append(p)
            opt_value.append(int(value))
            opt_units.append(round(float(consumption) / CONSUMPTION_UNIT))
            opt_use.append(float(consumption))
    where, head = take("the number of constraints")
    if len(head) != 1 or not isinstance(head[0], int) or head[0] < 0:
        raise Spot5FormatError(f"{where}: expected the number of constraint lines, got {head}")
    n_cons = head[0]
    constraints = []
    capacity: int | None = None
    literal: float | None = None
    for c in range(n_cons):
        where, t = take(f"constraint {c} of {n_cons}")
        if len(t) == 1 and pos == len(lines):
            capacity = CAPACITY_UNITS  # the final one-token line: the recorder capacity
            literal = float(t[0])
            continue
        if not all(isinstance(v, int) for v in t) or len(t) < 2:
            raise Spot5FormatError(f"{where}: expected 'arity photographs forbidden-tuples'")
        arity = t[0]
        if arity < 1 or len(t) < 1 + arity or (len(t) - 1 - arity) % arity:
            raise Spot5FormatError(
                f"{where}: arity {arity} does not divide the {len(t) - 1 - arity} tuple values"
            )
        try:
            photos = np.array([row_of[int(v)] for v in t[1 : 1 + arity]], dtype=np.int64)
        except KeyError as exc:
            raise Spot5FormatError(f"{where}: unknown photograph id {exc.args[0]}") from None
        forbidden = np.array(t[1 + arity :], dtype=np.int64).reshape(-1, arity)
        constraints.append((photos, forbidden))
    if pos != len(lines):
        raise Spot5FormatError(f"{path}:{lines[pos][0]}: unexpected line after the constraints")
    return Spot5Instance(
        name=path.stem,
        photo_id=np.array(photo_id, dtype=np.int64),
        weight=np.array(weight, dtype=np.int64),
        option_photo=np.array(opt_photo, dtype=np.int64),
        option_value=np.array(opt_value, dtype=np.int64),
        option_units=np.array(opt_units, dtype=np.int64),
        constraints=constraints,
        capacity_units=capacity,
        option_consumption=np.array(opt_use, dtype=float),
        capacity_literal=literal,
        recorder=None if capacity is None else recorder,
    )


@dataclass
class Spot5Solution:
    """A SPOT5 answer: ``selected`` as ``[(photograph_id, domain_value), ...]``."""

    instance: str
    value: int
    bound: int
    proven_optimal: bool
    seconds: float
    selected: list[tuple[int, int]]
    recorder: str | None = None

    def to_json(self) -> dict:
        """The public contract: ``instance, value, proven_optimal, seconds, selected``, and
        ``recorder_rule`` (units or literal) for the instances with a recorder limit."""
        out = {
            "instance": self.instance,
            "value": int(self.value),
            "proven_optimal": bool(self.proven_optimal),
            "seconds": round(float(self.seconds), 3),
            "selected": [[int(p), int(v)] for p, v in self.selected],
        }
        if self.recorder is not None:
            out["recorder_rule"] = self.recorder
        return out


def solve_spot5(
    instance: Spot5Instance,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    search_share: float = 0.6,
) -> Spot5Solution:
    """Best selection found within ``time_limit`` seconds.

    CP-SAT on the selection core (greedy hint, clique constraints, priority tiers) for
    ``1 - search_share`` of the time; when it has not proven its answer optimal by then,
    a window search (:func:`~sahelsat.tasking.selection.window_search`, photographs in
    time order) improves it for the rest of the time.
    """
    t0 = time.perf_counter()
    problem = instance.to_problem()
    result = solve_selection(
        problem, time_limit=time_limit * (1.0 - search_share), workers=workers, seed=seed
    )
    selected = result.selected
    if not result.proven_optimal:
        left = time_limit - (time.perf_counter() - t0)
        if left > 1.0:
            selected = window_search(
                problem, selected, instance.option_photo, time_limit=left - 0.5,
                workers=workers, seed=seed,
            )  # fmt: skip
    value = int(problem.value[selected].sum())
    chosen = np.flatnonzero(selected)
    pairs = [
        (int(instance.photo_id[instance.option_photo[i]]), int(instance.option_value[i]))
        for i in chosen
    ]
    return Spot5Solution(
        instance.name,
        value,
        max(result.bound, value),
        result.proven_optimal,
        time.perf_counter() - t0,
        pairs,
        instance.recorder,
    )


def greedy_spot5(instance: Spot5Instance) -> list[tuple[int, int]]:
    """The greedy selection alone (photograph id, domain value), for comparison."""
    chosen = np.flatnonzero(greedy_selection(instance.to_problem()))
    return [
        (int(instance.photo_id[instance.option_photo[i]]), int(instance.option_value[i]))
        for i in chosen
    ]


def check_spot5(
    instance: Spot5Instance, selected, recorder: str | None = None
) -> tuple[int, list[str]]:
    """Value of ``selected`` ([(photograph_id, value), ...]) and the list of violations;
    the recorder limit read by rule ``recorder`` (default: the instance's own rule)."""
    rule = recorder or instance.recorder
    if rule is not None and rule not in RECORDER_RULES:
        raise ValueError(f"recorder must be one of {RECORDER_RULES}, not {rule!r}")
    problems: list[str] = []
    used: list[float] = []
    row_of = {int(p): i for i, p in enumerate(instance.photo_id)}
    chosen: dict[int, int] = {}
    units = 0
    for pid, value in selected:
        if pid not in row_of:
            problems.append(f"photograph {pid} does not exist")
            continue
        if pid in chosen:
            problems.append(f"photograph {pid} selected twice")
        p = row_of[pid]
        mask = (instance.option_photo == p) & (instance.option_value == value)
        if not mask.any():
            problems.append(f"photograph {pid}: value {value} not in its domain")
            continue
        chosen[pid] = value
        units += int(instance.option_units[mask][0])
        used.append(float(instance.option_consumption[mask][0]))
    for photos, forbidden in instance.constraints:
        ids = [int(instance.photo_id[p]) for p in photos]
        if all(i in chosen for i in ids):
            taken = tuple(chosen[i] for i in ids)
            if any(tuple(f) == taken for f in forbidden.tolist()):
                problems.append(f"forbidden tuple {taken} on photographs {ids}")
    if instance.capacity_units is not None and rule == "units" and units > instance.capacity_units:
        problems.append(f"recorder: {units} units > capacity {instance.capacity_units}")
    if instance.capacity_literal is not None and rule == "literal":
        total = math.fsum(used)
        if total > instance.capacity_literal + 1e-6:  # float noise of the file's values
            problems.append(f"recorder: {total:.2f} > capacity {instance.capacity_literal:g}")
    value = int(sum(instance.weight[row_of[p]] for p in chosen))
    return value, problems
