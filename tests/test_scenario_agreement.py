"""`check-scenario` accepts exactly what `run` runs.

Each variant is judged twice: by the `check-scenario` command, and by the run itself
(:func:`sahelsat.scenario.run.run_scenario` on the file as read, over a short window with
coarse coverage) — accepted means the run raises nothing and no step fails. The two
verdicts must agree: a file the check accepts runs every step it has satellites for, and a
file it refuses makes the run stop before any heavy work.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sahelsat.cli import app
from sahelsat.inputs import InputError
from sahelsat.scenario import parse_scenario

# A short, coarse scenario: a run of a valid variant takes seconds.
BASE = """
[scenario]
name = "agreement"
start = 2026-05-31T00:00:00Z
duration_hours = 0.25

[area]
countries = ["NER"]
coverage_resolution_deg = 2.0
coverage_step_s = 900

[imaging]
time_limit_s = 1
"""

SENTINEL_1 = '[[satellites]]\nrole = "imaging"\ncatalogue = "resource"\nselect = "^SENTINEL-1"\n'
GEO = '[[satellites]]\nrole = "broadband"\ndesign = "geostationary"\nlongitudes_deg = [0.0]\n'
REQUEST = '[[requests]]\nid = "r"\npoint = [2.0, 13.5]\nradius_km = 5\n'


def designed(sensor: str, swath_km: float = 20.0, off_nadir: float = 30.0) -> str:
    return (
        '[[satellites]]\nrole = "imaging"\ndesign = "sun-synchronous"\naltitude_km = 600\n'
        f'ltan_hours = 10.5\nsensor = "{sensor}"\nswath_km = {swath_km}\n'
        f"max_off_nadir_deg = {off_nadir}\n"
    )


def settlements(min_population: int) -> str:
    return f"[settlements]\nmin_population = {min_population}\n"


def connectivity(band: str, throughput: float) -> str:
    return f'[connectivity]\nband = "{band}"\nthroughput_mbps = {throughput}\n'


def check_verdict(path) -> bool:
    result = CliRunner().invoke(app, ["check-scenario", str(path)])
    assert result.exit_code in (0, 2), result.output  # 2: refused with its reasons
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code == 0


def run_verdict(path, out) -> tuple[bool, str]:
    """Whether the run of the file, as read (no check beyond the file's own), completes."""
    from sahelsat.scenario import run

    scenario = parse_scenario(path.read_text(), str(path), path.parent)
    try:
        res = run.run_scenario(scenario, out)
    except InputError as exc:
        assert not out.joinpath("passes.csv").exists(), "refused after heavy work began"
        return False, str(exc)
    return not res.errors, str(res.errors)


def agree(tmp_path, body: str, name: str = "s") -> bool:
    path = tmp_path / f"{name}.toml"
    path.write_text(BASE + body)
    checked = check_verdict(path)
    ran, why = run_verdict(path, tmp_path / f"{name}-out")
    assert checked == ran, f"check-scenario {checked}, run {ran} ({why}) for:\n{body}"
    return checked


BAD_ELEMENTS = "NOT A TLE\n1 00000U bad\n2 00000 bad\n"

VARIANTS = [
    # (what, body, accepted)
    ("imaging only", SENTINEL_1 + REQUEST, True),
    ("broadband only, few towns", GEO + settlements(300_000), True),
    ("both, designed SAR, SAR request", designed("sar") + GEO + settlements(300_000)
     + REQUEST + 'sensor = "sar"\n', True),
    ("throughput no Ku MODCOD closes", SENTINEL_1 + GEO + connectivity("Ku", 400), False),
    ("same throughput on Ka", SENTINEL_1 + GEO + connectivity("Ka", 400) + settlements(300_000),
     True),
    ("no town that large", GEO + settlements(100_000_000), False),
    ("select matches nothing", SENTINEL_1.replace("^SENTINEL-1", "^NO SUCH"), False),
    ("broadband select matches nothing", GEO + 'select = "^NO SUCH"\n' + settlements(300_000),
     False),
    ("swath too narrow to design", designed("optical", swath_km=0.5), False),
    ("element file without a valid record", '[[satellites]]\nrole = "imaging"\n'
     'file = "bad.tle"\n', False),
    ("requests without imaging satellites", GEO + settlements(300_000) + REQUEST, False),
]  # fmt: skip


@pytest.mark.parametrize(("what", "body", "accepted"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_check_and_run_agree_on_hand_built_variants(tmp_path, what, body, accepted):
    (tmp_path / "bad.tle").write_text(BAD_ELEMENTS)
    assert agree(tmp_path, body) == accepted, what


def test_a_refusal_names_the_key_and_line(tmp_path):
    path = tmp_path / "s.toml"
    text = BASE + SENTINEL_1 + GEO + connectivity("Ku", 400)
    path.write_text(text)
    result = CliRunner().invoke(app, ["check-scenario", str(path)])
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("throughput"))
    message = " ".join(result.output.split())
    assert f"line {line}: connectivity.throughput_mbps" in message
    assert "MODCOD" in message


@st.composite
def scenarios(draw) -> str:
    body = ""
    imaging = draw(st.sampled_from(["none", "sentinel", "nothing selected", "designed"]))
    if imaging == "sentinel":
        body += SENTINEL_1
    elif imaging == "nothing selected":
        body += SENTINEL_1.replace("^SENTINEL-1", "^NO SUCH")
    elif imaging == "designed":
        sensor = draw(st.sampled_from(["optical", "sar"]))
        swath = draw(st.sampled_from([0.5, 20.0]))
        body += designed(sensor, swath, draw(st.sampled_from([10.0, 30.0, 45.0])))
    broadband = draw(st.booleans()) or imaging == "none"
    if broadband:
        body += GEO
        body += settlements(draw(st.sampled_from([300_000, 100_000_000])))
        body += connectivity(draw(st.sampled_from(["Ku", "Ka"])),
                             draw(st.sampled_from([20.0, 150.0, 400.0])))  # fmt: skip
    if draw(st.booleans()):
        body += REQUEST + f'sensor = "{draw(st.sampled_from(["optical", "sar"]))}"\n'
    return body


@settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=scenarios())
def test_check_and_run_agree_on_generated_variants(tmp_path, body):
    import uuid

    agree(tmp_path, body, uuid.uuid4().hex[:8])


@pytest.mark.parametrize("name", ["sahel", "real"])
def test_the_built_in_scenarios_pass_the_run_check(name):
    from sahelsat.scenario import load_scenario

    scenario = load_scenario(name, runnable=True)
    assert {g.role for g in scenario.satellites} == {"imaging", "broadband"}
