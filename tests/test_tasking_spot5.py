"""SPOT5 benchmark: published optima reached, every answer verified from the raw file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sahelsat.cli.tasking import register
from sahelsat.tasking.spot5 import Spot5FormatError, check_spot5, read_spot5, solve_spot5

SPOT5 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "spot5"
KNOWN = {}
if (SPOT5 / "known_values.csv").exists():
    with open(SPOT5 / "known_values.csv") as f:
        KNOWN = {row["file"]: row for row in csv.DictReader(f)}

pytestmark = pytest.mark.skipif(not KNOWN, reason="shared SPOT5 data not present")

FAST = ["8", "54", "29", "404", "503", "42", "408", "28", "505", "412", "5", "507", "509", "11"]
FAST += ["1502"]
SLOW_PROVEN = ["1504"]
#: Multi-orbit instances and the shortfall (units below the published best) allowed within
#: 60 s on 2 cores: 1401 and 1403 reach it; 1405, 1506 and 1407 (file 1021) ended 0-8
#: units short in our runs (lowest-tier photographs weigh 1-5), so 10 units are allowed.
MULTI_ORBIT = [("1401", 0), ("1403", 0), ("1405", 10), ("1506", 10), ("1021", 10)]


def verify_raw(path: Path, selected: list[list[int]], rule: str = "units") -> int:
    """Check ``selected`` against the raw file with a parser of its own; return the value.

    Written independently of ``sahelsat.tasking.spot5``: reads tokens, checks each photograph
    once with a value of its domain, no forbidden tuple fully taken, and the recorder
    capacity on multi-orbit files: 200 units of 451.15 (``rule="units"``) or the file's
    capacity token as written (``"literal"``).
    """
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    n = int(lines[0][0])
    weight, domain = {}, {}
    for tok in lines[1 : 1 + n]:
        pid, w, k = int(tok[0]), int(tok[1]), int(tok[2])
        weight[pid] = w
        domain[pid] = {int(tok[3 + 2 * j]): float(tok[4 + 2 * j]) for j in range(k)}
    taken = {}
    for pid, value in selected:
        assert pid not in taken, f"photograph {pid} twice"
        assert value in domain[pid], f"photograph {pid}: value {value} outside its domain"
        taken[pid] = value
    capacity = None
    for tok in lines[2 + n :]:
        if len(tok) == 1:
            capacity = int(tok[0])
            continue
        arity = int(tok[0])
        photos = [int(t) for t in tok[1 : 1 + arity]]
        values = [int(t) for t in tok[1 + arity :]]
        if not all(p in taken for p in photos):
            continue
        got = [taken[p] for p in photos]
        for i in range(0, len(values), arity):
            assert values[i : i + arity] != got, f"forbidden {got} on photographs {photos}"
    if capacity is not None and rule == "units":
        units = sum(round(domain[p][v] / 451.15) for p, v in taken.items())
        assert units <= 200, f"recorder {units} units > 200"
    if capacity is not None and rule == "literal":
        used = sum(domain[p][v] for p, v in taken.items())
        assert used <= capacity + 1e-6, f"recorder {used} > {capacity}"
    return sum(weight[p] for p in taken)


def _solve_and_check(name: str, time_limit: float, rule: str = "units"):
    path = SPOT5 / f"{name}.spot"
    solution = solve_spot5(read_spot5(path, recorder=rule), time_limit=time_limit)
    out = solution.to_json()
    value = verify_raw(path, out["selected"], rule)
    assert value == out["value"]
    return out, int(KNOWN[f"{name}.spot"]["best_known_value"])


@pytest.mark.parametrize("name", FAST)
def test_small_instances_reach_their_proven_optimum(name):
    out, best = _solve_and_check(name, time_limit=60)
    assert out["value"] == best
    assert out["proven_optimal"]


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW_PROVEN)
def test_1504_reaches_its_optimum(name):
    out, best = _solve_and_check(name, time_limit=60)
    assert out["value"] >= best


@pytest.mark.slow
@pytest.mark.parametrize(("name", "shortfall"), MULTI_ORBIT)
def test_multi_orbit_instances_reach_published_best(name, shortfall):
    out, best = _solve_and_check(name, time_limit=60)
    assert out["value"] >= best - shortfall


def test_capacity_line_and_units_are_read():
    inst = read_spot5(SPOT5 / "1502.spot")
    assert inst.capacity_units == 200
    assert inst.n_photographs == 209
    assert set(inst.option_units.tolist()) <= {0, 1, 2, 4}
    assert read_spot5(SPOT5 / "8.spot").capacity_units is None


def test_checker_catches_a_forbidden_tuple():
    # 8.spot: "2 5 4 13 13" forbids taking photographs 5 and 4 both in stereo.
    inst = read_spot5(SPOT5 / "8.spot")
    from sahelsat.tasking.spot5 import check_spot5

    value, problems = check_spot5(inst, [(4, 13), (5, 13)])
    assert value == 4
    assert any("forbidden" in p for p in problems)
    with pytest.raises(AssertionError, match="forbidden"):
        verify_raw(SPOT5 / "8.spot", [[4, 13], [5, 13]])


def test_bad_file_names_the_line(tmp_path):
    bad = tmp_path / "bad.spot"
    bad.write_text("2\n0 1 1 1 0\n1 x 1 1 0\n0\n")
    with pytest.raises(Spot5FormatError, match=r"bad.spot:3: .*'x'"):
        read_spot5(bad)
    bad.write_text("1\n0 1 2 1 0\n0\n")
    with pytest.raises(Spot5FormatError, match=r"bad.spot:2: .*incomplete"):
        read_spot5(bad)
    bad.write_text("1\n0 1 1 1 0\n1\n2 0 7 1 1\n")
    with pytest.raises(Spot5FormatError, match=r"bad.spot:4: unknown photograph id 7"):
        read_spot5(bad)


def test_cli_prints_one_json_object():
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # keep typer in multi-command mode
    path = SPOT5 / "54.spot"
    result = CliRunner().invoke(app, ["spot5", str(path), "--time-limit", "20", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"instance", "value", "proven_optimal", "seconds", "selected"}
    assert out["value"] == 70 and out["proven_optimal"] is True
    assert verify_raw(path, out["selected"]) == 70


def test_cli_reports_a_bad_file(tmp_path):
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    bad = tmp_path / "bad.spot"
    bad.write_text("3\n")
    result = CliRunner().invoke(app, ["spot5", str(bad), "--format", "json"])
    assert result.exit_code == 2
    assert "bad.spot" in result.output


def test_recorder_limit_read_both_ways():
    units = read_spot5(SPOT5 / "1502.spot")
    literal = read_spot5(SPOT5 / "1502.spot", recorder="literal")
    assert (units.recorder, literal.recorder) == ("units", "literal")
    assert literal.capacity_literal == 90000.0 and read_spot5(SPOT5 / "8.spot").recorder is None
    # 200 units of 451.15 = 90,230: within the units reading, over the literal one
    picked, total = [], 0
    for p, v, u in zip(units.option_photo, units.option_value, units.option_units, strict=True):
        if u and total + u <= 200 and int(units.photo_id[p]) not in {q for q, _ in picked}:
            picked.append((int(units.photo_id[p]), int(v)))
            total += int(u)
    assert total == 200
    recorder = [m for m in check_spot5(units, picked)[1] if m.startswith("recorder")]
    assert recorder == []
    recorder = [m for m in check_spot5(units, picked, recorder="literal")[1] if "recorder" in m]
    assert recorder and "90000" in recorder[0]
    assert check_spot5(literal, picked)[1] != []
    with pytest.raises(ValueError, match="recorder"):
        read_spot5(SPOT5 / "1502.spot", recorder="bits")


def test_literal_reading_gives_a_valid_answer_and_says_so():
    out, best = _solve_and_check("1502", time_limit=60, rule="literal")
    assert out["recorder_rule"] == "literal"
    assert out["value"] <= best  # one unit less room than the published reading


@pytest.mark.slow
@pytest.mark.parametrize(("name", "literal_best"), [("1403", 176140), ("1504", 124242)])
def test_literal_reading_of_published_instances(name, literal_best):
    out, best = _solve_and_check(name, time_limit=60, rule="literal")
    assert out["value"] >= literal_best


def test_cli_says_which_recorder_rule_it_applied():
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)
    path = SPOT5 / "1502.spot"
    args = ["spot5", str(path), "--time-limit", "20", "--recorder", "literal"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["recorder_rule"] == "literal"
    verify_raw(path, out["selected"], "literal")
    table = CliRunner().invoke(app, args[:-2])
    assert table.exit_code == 0 and "200 units" in table.stdout
