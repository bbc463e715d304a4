"""Reading element sets: TLE and OMM formats, validation messages, non-strict mode."""

import io
import json

import numpy as np
import pytest
from sgp4 import omm
from sgp4.api import WGS72, Satrec

from sahelsat import catalogue, load_elements
from sahelsat.elements import ElementSetError, alpha5_to_int, int_to_alpha5, tle_checksum

ISS = (
    "ISS (ZARYA)",
    "1 25544U 98067A   26150.50000000  .00016717  00000-0  10270-3 0  9005",
    "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.49815307  1009",
)


def _fix(line: str) -> str:
    return line[:68] + str(tle_checksum(line))


def _tle(name=ISS[0], l1=ISS[1], l2=ISS[2]) -> str:
    return f"{name}\n{_fix(l1)}\n{_fix(l2)}\n"


def test_reads_celestrak_group_with_crlf_and_padding(shared_data):
    raw = (shared_data / "tle" / "resource.txt").read_bytes()
    assert b"\r\n" in raw
    fleet = load_elements(shared_data / "tle" / "resource.txt")
    assert len(fleet) == 167
    assert all(n == n.strip() and n for n in fleet.names)
    assert "SENTINEL-2A" in set(fleet.names)
    # Every set matches the sgp4 package's own reading of the same lines.
    lines = raw.decode().splitlines()
    for k in range(0, 30, 3):
        ref = Satrec.twoline2rv(lines[k + 1], lines[k + 2])
        i = k // 3
        assert fleet.catalog_numbers[i] == ref.satnum
        assert fleet.inclination[i] == pytest.approx(np.degrees(ref.inclo), abs=1e-12)
        assert fleet.eccentricity[i] == ref.ecco


def test_two_line_sets_and_exact_epoch():
    fleet = load_elements(f"{_fix(ISS[1])}\n{_fix(ISS[2])}\n")
    assert fleet.names[0] == "25544"
    assert fleet.epochs[0] == np.datetime64("2026-05-30T12:00:00", "ns")


def test_alpha5_catalogue_numbers():
    assert alpha5_to_int("A0000") == 100000
    assert alpha5_to_int("Z9999") == 339999
    assert alpha5_to_int("J2931") == 182931  # I is skipped: J is 18
    for n in (0, 99999, 100000, 182931, 339999):
        assert alpha5_to_int(int_to_alpha5(n)) == n
    l1 = ISS[1].replace("25544U", "E8493U")
    l2 = ISS[2].replace("2 25544", "2 E8493")
    fleet = load_elements(_tle(l1=l1, l2=l2))
    assert fleet.catalog_numbers[0] == 148493


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda l1, l2: (l1[:68] + str((int(l1[68]) + 1) % 10), l2), "checksum"),
        (lambda l1, l2: (l1[:40] + l1[41:], l2), "length"),
        (lambda l1, l2: (l1, _fix(l2[:8] + " 5l.6416" + l2[16:])), "inclination"),
        (lambda l1, l2: (l1, _fix(l2[:2] + "25545" + l2[7:])), "catalog_number"),
        (lambda l1, l2: (_fix(l1[:18] + "26400.50000000" + l1[32:]), l2), "epoch"),
        (lambda l1, l2: (l1, _fix(l2[:8] + " 191.000" + l2[16:])), "inclination"),
        (lambda l1, l2: (l1, _fix(l2[:52] + "25.00000000" + l2[63:])), "mean_motion"),
    ],
)
def test_bad_records_name_file_line_and_field(tmp_path, change, field):
    l1, l2 = change(_fix(ISS[1]), _fix(ISS[2]))
    path = tmp_path / "bad.tle"
    path.write_text(_tle() + f"BROKEN\n{l1}\n{l2}\n")
    with pytest.raises(ElementSetError) as info:
        load_elements(path)
    err = info.value
    assert err.source == "bad.tle" and err.field == field
    assert err.line in (5, 6)
    assert "bad.tle" in str(err) and f"line {err.line}" in str(err) and field in str(err)


def test_non_strict_keeps_good_records_of_a_corrupt_catalogue(shared_data):
    lines = (shared_data / "tle" / "weather.txt").read_text().splitlines()
    lines[1] = lines[1][:30] + "X" + lines[1][31:]  # corrupt field, bad checksum
    lines[5] = lines[5][:60]  # truncated line 2 of the second satellite
    del lines[8]  # third satellite loses its line 1
    text = "\r\n".join(lines) + "\r\n"
    with pytest.raises(ElementSetError):
        load_elements(text)
    fleet = load_elements(text, strict=False)
    assert len(fleet) == 74 - 3
    assert len(fleet.skipped) == 3
    assert {s.line for s in fleet.skipped} >= {2, 6}
    assert all(s.reason for s in fleet.skipped)


def _omm_fields(es) -> dict:
    return {
        "OBJECT_NAME": es.name,
        "OBJECT_ID": "1998-067A",
        "EPOCH": str(es.epoch)[:26],
        "MEAN_MOTION": es.mean_motion,
        "ECCENTRICITY": es.eccentricity,
        "INCLINATION": es.inclination,
        "RA_OF_ASC_NODE": es.raan,
        "ARG_OF_PERICENTER": es.arg_perigee,
        "MEAN_ANOMALY": es.mean_anomaly,
        "EPHEMERIS_TYPE": 0,
        "CLASSIFICATION_TYPE": "U",
        "NORAD_CAT_ID": es.catalog_number,
        "ELEMENT_SET_NO": 999,
        "REV_AT_EPOCH": es.rev_at_epoch,
        "BSTAR": es.bstar,
        "MEAN_MOTION_DOT": es.mean_motion_dot,
        "MEAN_MOTION_DDOT": es.mean_motion_ddot,
    }


def _omm_texts(records: list[dict]) -> dict[str, str]:
    keys = list(records[0])
    csv_text = ",".join(keys) + "\n" + "\n".join(",".join(str(r[k]) for k in keys) for r in records)
    body = "".join(
        "<omm><body><segment><metadata>"
        + "".join(f"<{k}>{r[k]}</{k}>" for k in ("OBJECT_NAME", "OBJECT_ID"))
        + "</metadata><data><meanElements>"
        + "".join(f"<{k}>{r[k]}</{k}>" for k in ("EPOCH", "MEAN_MOTION", "ECCENTRICITY",
                                                  "INCLINATION", "RA_OF_ASC_NODE",
                                                  "ARG_OF_PERICENTER", "MEAN_ANOMALY"))
        + "</meanElements><tleParameters>"
        + "".join(f"<{k}>{r[k]}</{k}>" for k in ("NORAD_CAT_ID", "BSTAR", "MEAN_MOTION_DOT",
                                                  "MEAN_MOTION_DDOT", "REV_AT_EPOCH"))
        + "</tleParameters></data></segment></body></omm>"
        for r in records
    )  # fmt: skip
    return {
        "json": json.dumps(records),
        "csv": csv_text,
        "xml": f'<?xml version="1.0"?><ndm>{body}</ndm>',
    }


@pytest.mark.parametrize("fmt", ["json", "csv", "xml"])
def test_omm_formats_propagate_like_the_sgp4_reference(fmt):
    tle_fleet = catalogue("weather")[:5]
    records = [_omm_fields(es) for es in tle_fleet]
    text = _omm_texts(records)[fmt]
    fleet = load_elements(io.StringIO(text))
    assert list(fleet.names) == list(tle_fleet.names)
    times = fleet.epochs[0] + np.arange(0, 6 * 3600, 600) * np.timedelta64(1, "s")
    ours = fleet.propagate(times).position
    for i, rec in enumerate(records):
        sat = Satrec()
        omm.initialize(sat, {k: str(v) for k, v in rec.items()})
        ns = times.astype(np.int64)
        jd = 2440587.5 + ns // 86_400_000_000_000
        fr = (ns % 86_400_000_000_000) / 86_400e9
        _, ref, _ = sat.sgp4_array(jd.astype(float), fr)
        assert np.abs(ours[i] - ref).max() < 1e-3  # km; epochs agree to the microsecond
    assert sat.operationmode == "i" and WGS72 is not None


def test_omm_impossible_elements_are_named():
    rec = _omm_fields(catalogue("weather")[0].element_sets[0])
    rec["ECCENTRICITY"] = 1.2
    with pytest.raises(ElementSetError, match="ECCENTRICITY"):
        load_elements(json.dumps([rec]))
    del rec["MEAN_MOTION"]
    fleet = load_elements(
        json.dumps([rec, _omm_fields(catalogue("weather")[1].element_sets[0])]), strict=False
    )
    assert len(fleet) == 1 and fleet.skipped[0].field == "MEAN_MOTION"


def test_sources_path_text_and_file_object(tmp_path):
    path = tmp_path / "iss.txt"
    path.write_text(_tle())
    for source in (path, str(path), _tle(), io.StringIO(_tle()), io.BytesIO(_tle().encode())):
        assert load_elements(source).catalog_numbers.tolist() == [25544]
    with pytest.raises(ElementSetError, match="no such file"):
        load_elements(str(tmp_path / "missing.tle"))
    with pytest.raises(ElementSetError, match="empty"):
        load_elements("")


def test_tle_export_round_trip():
    fleet = catalogue("resource")[:20]
    again = load_elements(fleet.to_tle())
    times = fleet.epochs[:1]
    assert np.abs(again.propagate(times).position - fleet.propagate(times).position).max() < 1e-6


def test_stale_epoch_warns():
    fleet = catalogue("resource")[:2]
    with pytest.warns(UserWarning, match="from their epoch"):
        fleet.geodetic(["2026-07-01T00:00:00"])


def test_one_decayed_satellite_is_flagged_not_fatal():
    decaying = _tle("DECAYING", ISS[1][:33] + " .20000000  00000-0  10000-0 0  9005", ISS[2])
    fleet = load_elements(decaying) + catalogue("resource")[:3]
    times = fleet.epochs[0] + np.arange(0, 20) * np.timedelta64(1, "D")
    with pytest.warns(UserWarning):
        st = fleet.propagate(times)
    assert (st.error[0] != 0).any() and np.isnan(st.position[0][st.error[0] != 0]).all()
    assert (st.error[1:, :10] == 0).all()
