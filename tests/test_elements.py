"""Reading element sets: TLE and OMM formats, validation messages, non-strict mode."""

import functools
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


# --------------------------------------------------------------------------- hostile input
# load_elements raises only ElementSetError, whatever it is given, in both modes; TLE
# fields are read by column as the reference (the sgp4 package's twoline2rv) reads them.


def _reference_tle(l1: str, l2: str):
    """The sgp4 package's own Python reading of two TLE lines (None when it refuses)."""
    from sgp4 import io as sgp4_io
    from sgp4.earth_gravity import wgs72

    try:
        return sgp4_io.twoline2rv(l1, l2, wgs72)
    except (ValueError, IndexError):
        return None


@pytest.mark.parametrize(
    "line, column, text, field",
    [
        (2, 9, " 51.64 6", "inclination"),  # a space inside a field is not stripped
        (2, 27, "0006 03", "eccentricity"),  # the reference would read a zero here
        (1, 21, "150.5 000000", "epoch"),
        (1, 3, "25 44", "catalog_number"),
        (2, 53, "15.4981 307", "mean_motion"),
        (1, 65, " 9 5", "element_set_no"),
    ],
)
def test_a_space_inside_a_tle_field_is_an_error(line, column, text, field):
    lines = [_fix(ISS[1]), _fix(ISS[2])]
    raw = lines[line - 1]
    raw = raw[: column - 1] + text + raw[column - 1 + len(text) :]
    lines[line - 1] = _fix(raw)
    if field == "catalog_number":  # line 2 must name the same satellite
        lines[1] = _fix(lines[1][:2] + text + lines[1][7:])
    with pytest.raises(ElementSetError) as info:
        load_elements(f"{lines[0]}\n{lines[1]}\n")
    assert info.value.field == field and info.value.line == line


@pytest.mark.parametrize("char", ["\u0665", "\u00b2", "\uff15", "\u0e55"])
def test_digits_are_ascii_only(char):
    """Arabic-Indic, superscript, full-width and Thai digits count as digits for Python's
    int() and float(); in a TLE they are an error (checksum column included)."""
    l1, l2 = _fix(ISS[1]), _fix(ISS[2])
    for bad in (l2[:10] + char + l2[11:], l2[:68] + char):
        with pytest.raises(ElementSetError, match="non-ASCII") as info:
            load_elements(f"{l1}\n{bad}\n")
        assert info.value.line == 2
    assert load_elements(f"{l1}\n{l2}\n{l1}\n{l2[:68] + char}\n", strict=False).skipped


@pytest.mark.parametrize(
    "epoch, expected",
    [
        ("24366.50000000", "2024-12-31T12:00:00"),  # 2024 is a leap year
        ("26365.99999999", "2026-12-31T23:59:59.999136"),  # 1e-8 day = 864 µs
        ("00366.00000000", "2000-12-31T00:00:00"),  # 2000 is a leap year (divisible by 400)
        ("26366.00000000", None),  # 2026 has 365 days
        ("24367.00000000", None),
        ("26000.50000000", None),
    ],
)
def test_day_of_year_is_checked_against_the_year(epoch, expected):
    l1 = _fix(ISS[1][:18] + epoch + ISS[1][32:])
    text = f"{l1}\n{_fix(ISS[2])}\n"
    if expected is None:
        with pytest.raises(ElementSetError, match="day of year") as info:
            load_elements(text)
        assert info.value.field == "epoch"
    else:
        assert load_elements(text).epochs[0] == np.datetime64(expected, "ns")


@functools.cache
def _weather_sets():
    return catalogue("weather").element_sets


def _weather_omm(k: int = 0) -> dict:
    return _omm_fields(_weather_sets()[k])


@pytest.mark.parametrize(
    "epoch",
    [
        "1500-01-01T00:00:00",  # numpy would wrap this to 2084 in datetime64[ns]
        "2500-01-01T00:00:00",
        "9999-12-31T23:59:59.999999",
        "0001-01-01T00:00:00",
        "2026-02-29T00:00:00",
        "2026-05-30T24:00:00",
        "2026-05-30T12:00:60",
        "+2026-05-30T12:00:00",
        "2026-05-30T12:00:00+01:00",
        "\u0662026-05-30T12:00:00",
    ],
)
def test_omm_epochs_outside_the_representable_range_are_rejected(epoch):
    rec = _weather_omm()
    rec["EPOCH"] = epoch
    with pytest.raises(ElementSetError) as info:
        load_elements(json.dumps([rec]))
    assert info.value.field == "EPOCH"
    fleet = load_elements(json.dumps([rec, _weather_omm(1)]), strict=False)
    assert len(fleet) == 1 and fleet.skipped[0].field == "EPOCH"


def test_omm_epoch_to_the_nanosecond_and_at_the_range_edges():
    rec = _weather_omm()
    rec["EPOCH"] = "2026-05-30T12:00:00.123456789"
    assert load_elements(json.dumps([rec])).epochs[0] == np.datetime64(
        "2026-05-30T12:00:00.123456789", "ns"
    )
    rec["EPOCH"] = "2261-12-31T23:59:59.999999"
    assert str(load_elements(json.dumps([rec])).epochs[0]).startswith("2261-12-31T23:59:59")


HOSTILE_VALUES = [
    ("NORAD_CAT_ID", 10**400),
    ("NORAD_CAT_ID", 25544.7),
    ("NORAD_CAT_ID", True),
    ("NORAD_CAT_ID", "\u0662\u0665\u0665\u0664\u0664"),
    ("NORAD_CAT_ID", 1e400),
    ("MEAN_MOTION", float("nan")),
    ("MEAN_MOTION", "1_5.2"),
    ("MEAN_MOTION", 10**400),
    ("MEAN_MOTION", [15.2]),
    ("BSTAR", "Infinity"),
    ("INCLINATION", {"value": 51.6}),
    ("OBJECT_NAME", {"a": 1}),
    ("ELEMENT_SET_NO", -5),
    ("EPOCH", 20260530),
]


@pytest.mark.parametrize("key, value", HOSTILE_VALUES)
def test_hostile_omm_values_name_the_keyword(key, value):
    rec = _weather_omm()
    rec[key] = value
    text = json.dumps([rec, _weather_omm(1)])  # NaN and Infinity pass as JSON extensions
    with pytest.raises(ElementSetError) as info:
        load_elements(text)
    assert info.value.field == key
    fleet = load_elements(text, strict=False)
    assert len(fleet) == 1 and fleet.skipped[0].field == key


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,  # deeper than Python's recursion limit
        "[" + "1" * 6000 + "]",  # beyond Python's integer-string limit
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ndm>&a;</ndm>',
        "<ndm><omm>" * 3,
        "NORAD_CAT_ID,MEAN_MOTION\n" + '"' + "x" * 200_000 + '"\n',
        "1 " + "\x00" * 80,
        "x" * 5000,  # taken as a file name: too long for the file system
        b"\xff\xfe\x00[",
    ],
)
def test_unreadable_inputs_raise_only_the_documented_error(text):
    for strict in (True, False):
        try:
            load_elements(text, strict=strict)
        except ElementSetError as exc:
            assert str(exc)
    with pytest.raises(ElementSetError):
        load_elements(text)


def test_sources_that_are_not_element_sets(tmp_path):
    closed = io.StringIO(_tle())
    closed.close()
    for source in (None, 12, 3.5, [ISS[1]], closed, tmp_path, tmp_path / "missing.txt"):
        for strict in (True, False):
            with pytest.raises(ElementSetError):
                load_elements(source, strict=strict)


@pytest.mark.parametrize("fmt", ["json", "csv", "xml"])
def test_one_bad_omm_record_never_loses_the_file(fmt):
    records = [_omm_fields(es) for es in catalogue("weather")[:4]]
    records[2]["ECCENTRICITY"] = "0.00\u0661"
    fleet = load_elements(_omm_texts(records)[fmt], strict=False)
    assert len(fleet) == 3 and len(fleet.skipped) == 1
    assert fleet.skipped[0].field == "ECCENTRICITY"


def test_omm_keeps_catalogue_numbers_past_99999_and_tle_export_says_what_it_cannot_write():
    from sgp4.alpha5 import to_alpha5

    from sahelsat.elements import omm_json, tle_text

    records = [_weather_omm(k) for k in range(3)]
    for rec, number in zip(records, (300001, 100000, 270000001), strict=True):
        rec["NORAD_CAT_ID"] = number
    fleet = load_elements(json.dumps(records))
    assert fleet.catalog_numbers.tolist() == [300001, 100000, 270000001]
    again = load_elements(omm_json(fleet))  # OMM keeps every number and the exact epoch
    assert again.catalog_numbers.tolist() == [300001, 100000, 270000001]
    assert (again.epochs == fleet.epochs).all()
    text, left_out = tle_text(fleet)
    tle = load_elements(text)
    assert tle.catalog_numbers.tolist() == [300001, 100000]
    for number in (300001, 100000):  # Alpha-5 as the sgp4 package writes it
        assert f"\n1 {to_alpha5(number)}U 98067A   " in text
    assert len(left_out) == 1 and "270000001" in left_out[0] and "339999" in left_out[0]
    with pytest.warns(UserWarning, match="270000001"):
        assert fleet.to_tle() == text


# --------------------------------------------------------------------------- fuzzing
# Bounded in examples and time so that they run in ``make test``.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
_WEATHER_TLE = None


def _weather_lines() -> list[str]:
    global _WEATHER_TLE
    if _WEATHER_TLE is None:
        fleet = catalogue("weather")[:4]
        _WEATHER_TLE = [x for es in fleet for x in (es.name, *es.tle_lines)]
    return list(_WEATHER_TLE)


def _only_documented_error(source) -> None:
    for strict in (True, False):
        try:
            load_elements(source, strict=strict)
        except ElementSetError:
            pass


@FUZZ
@given(st.one_of(st.text(max_size=400), st.binary(max_size=400)))
def test_fuzz_any_text_or_bytes(data):
    _only_documented_error(data if isinstance(data, bytes) else data + "\n")


CHARS = st.one_of(
    st.sampled_from(list(" 0123456789.-+ABZIO\t\u0665\u00b2\uff10_eE")), st.characters()
)


@FUZZ
@given(
    line=st.integers(0, 11),
    column=st.integers(0, 70),
    edit=st.sampled_from(["replace", "insert", "delete"]),
    char=CHARS,
    fix_checksum=st.booleans(),
)
def test_fuzz_tle_one_damaged_line(line, column, edit, char, fix_checksum):
    """One line of four 3-line sets is damaged: non-strict mode keeps the three others,
    strict mode raises only ElementSetError, and whatever is read agrees with the
    reference's reading of the same lines (when the reference accepts them)."""
    lines = _weather_lines()
    numbers = [int(lines[k][2:7]) for k in range(1, 12, 3)]
    raw = lines[line]
    if edit == "replace":
        raw = raw[:column] + char + raw[column + 1 :]
    elif edit == "insert":
        raw = raw[:column] + char + raw[column:]
    else:
        raw = raw[:column] + raw[column + 1 :]
    if fix_checksum and line % 3 and len(raw) == 69 and raw.isascii():
        raw = _fix(raw)
    lines[line] = raw
    text = "\r\n".join(lines) + "\r\n"
    _only_documented_error(text)
    fleet = load_elements(text, strict=False)
    damaged = line // 3
    kept = [n for k, n in enumerate(numbers) if k != damaged]
    assert set(kept) <= set(fleet.catalog_numbers.tolist())
    for es in fleet:
        ref = _reference_tle(*es.tle_lines)
        if ref is None:
            continue
        assert ref.satnum == es.catalog_number
        assert np.degrees(ref.inclo) == pytest.approx(es.inclination, abs=1e-10)
        assert ref.ecco == es.eccentricity
        assert ref.no_kozai * 1440.0 / (2 * np.pi) == pytest.approx(es.mean_motion, rel=1e-12)
        assert ref.bstar == pytest.approx(es.bstar, rel=1e-12, abs=1e-30)
        year = es.epoch.astype("datetime64[Y]")
        day = (es.epoch - year).astype(np.int64) / 86_400e9 + 1.0
        assert ref.epochdays == pytest.approx(day, abs=1e-9)


OMM_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet="0123456789.-+eET:Z \u0665", max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _xml_char(c: str) -> bool:
    n = ord(c)
    return n in (9, 10, 13) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n > 0xFFFF


@FUZZ
@given(
    key=st.sampled_from(list(_omm_fields(catalogue("weather").element_sets[0])) + ["X"]),
    value=OMM_VALUES,
    fmt=st.sampled_from(["json", "csv", "xml"]),
)
def test_fuzz_omm_one_hostile_value(key, value, fmt):
    """One keyword of one of three OMM records gets a hostile value: only ElementSetError,
    and in non-strict mode the two other records are always read."""
    records = [_weather_omm(k) for k in range(3)]
    records[1][key] = value
    if fmt == "json":
        text = json.dumps(records)
    else:
        # A well-formed file with a hostile value in it.
        records[1][key] = "".join(c for c in str(value) if c not in '<>&,"' and _xml_char(c))
        text = _omm_texts(records)[fmt]
    _only_documented_error(text)
    fleet = load_elements(text, strict=False)
    got = fleet.catalog_numbers.tolist()
    assert records[0]["NORAD_CAT_ID"] in got and records[2]["NORAD_CAT_ID"] in got
