"""Link-budget kernels and DVB-S2 tables: textbook cases worked by hand, and monotonicity."""

import math

import numpy as np
import pytest

from sahelsat.comms import budget, defaults, dvbs2, link


def test_free_space_loss_hand_value():
    # 20 log10(4 pi d f / c) for 36,000 km at 12 GHz, worked out by hand:
    # 4 pi * 3.6e7 m * 1.2e10 Hz / 2.99792458e8 m/s = 1.81083e10 -> 205.158 dB
    assert link.free_space_loss_db(36_000.0, 12.0) == pytest.approx(205.158, abs=1e-3)
    # the textbook shortcut 92.45 + 20 log10(d_km) + 20 log10(f_GHz)
    shortcut = 92.45 + 20 * math.log10(36_000) + 20 * math.log10(12)
    assert link.free_space_loss_db(36_000.0, 12.0) == pytest.approx(shortcut, abs=0.01)


def test_antenna_gain_and_beamwidth_hand_values():
    # 1.2 m, 12 GHz, 65 %: lambda = 0.0249827 m; (pi D / lambda)^2 = 22,771.9 (43.574 dB);
    # plus 10 log10(0.65) = -1.871 dB -> 41.703 dBi
    assert link.antenna_gain_dbi(1.2, 12.0, 0.65) == pytest.approx(41.703, abs=2e-3)
    assert link.beamwidth_3db_deg(1.2, 12.0) == pytest.approx(70 * 0.0249827 / 1.2, rel=1e-5)
    # 3 dB lost at half the beamwidth off axis
    assert link.pointing_loss_db(0.5, 1.0) == pytest.approx(3.0)


def test_beam_rolloff_models():
    for shape in ("gaussian", "bessel"):
        assert link.beam_rolloff_db(0.0, 2.0, shape) == pytest.approx(0.0, abs=1e-9)
        assert link.beam_rolloff_db(1.0, 2.0, shape) == pytest.approx(-3.0, abs=0.02)
        r = link.beam_rolloff_db(np.linspace(0, 1.0, 20), 2.0, shape)
        assert np.all(np.diff(r) <= 0)  # main lobe falls monotonically
    with pytest.raises(ValueError, match="beam shape"):
        link.beam_rolloff_db(1.0, 2.0, "square")


def test_noise_temperature_hand_values():
    # NF 0.5 dB -> 290 (10^0.05 - 1) = 35.39 K
    assert link.noise_temperature_from_figure(0.5) == pytest.approx(35.385, abs=1e-3)
    # clear sky: 30 K antenna + 35.39 K LNB
    assert link.system_noise_temperature_k(30.0, 0.5) == pytest.approx(65.385, abs=1e-3)
    # 3 dB of rain: antenna halved (15.04 K) plus 275 (1 - 0.5012) = 137.17 K sky noise
    t = link.system_noise_temperature_k(30.0, 0.5, 3.0)
    assert t == pytest.approx(30 * 10**-0.3 + 275 * (1 - 10**-0.3) + 35.385, abs=1e-3)
    assert t == pytest.approx(187.59, abs=0.01)


def test_cn0_esn0_and_combination_hand_values():
    # C/N0 = EIRP - L + G/T - k: 52 - 205.158 + 20 + 228.599 = 95.441 dBHz
    cn0 = link.cn0_dbhz(52.0, 205.158, 20.0)
    assert cn0 == pytest.approx(95.441, abs=1e-3)
    # Es/N0 in 30 Mbaud: 95.441 - 74.771 = 20.670 dB
    assert link.esn0_db(cn0, 30e6) == pytest.approx(20.670, abs=1e-3)
    # two equal 10 dB contributions combine to 10 - 3.0103 dB
    assert link.combine_db(10.0, 10.0) == pytest.approx(6.9897, abs=1e-4)
    # a much stronger term hardly matters; None terms are ignored
    assert link.combine_db(10.0, 40.0, None) == pytest.approx(10.0, abs=0.005)
    with pytest.raises(ValueError):
        link.combine_db()


def test_geo_look_angles_hand_values():
    # On the equator under the satellite: zenith, range = GEO radius - Earth radius
    az, el, rng = link.geo_look_angles(0.0, 10.0, 10.0)
    assert el == pytest.approx(90.0, abs=1e-6)
    assert rng == pytest.approx(42_164.17 - 6378.137, abs=1e-3)
    # Bamako (12.64 N, 8 W) to 0 E: spherical-Earth textbook formula,
    # cos(gamma) = cos(lat) cos(dlon); el = atan((cos g - Re/r) / sin g), within 0.1 deg
    g = math.acos(math.cos(math.radians(12.64)) * math.cos(math.radians(8.0)))
    el_ref = math.degrees(math.atan((math.cos(g) - 6371.0 / 42_164.17) / math.sin(g)))
    _, el, _ = link.geo_look_angles(12.64, -8.0, 0.0)
    assert el == pytest.approx(el_ref, abs=0.1)
    # satellite to the south-east of a northern station in the west
    az, _, _ = link.geo_look_angles(12.64, -8.0, 0.0)
    assert 90.0 < az < 180.0


def test_dvbs2_table_matches_published_efficiencies():
    t = dvbs2.modcod_table("DVB-S2").set_index("name")
    # spectral efficiencies of EN 302 307-1 Table 13 (normal frames, no pilots)
    for name, eff in [("QPSK 1/4", 0.490243), ("QPSK 1/2", 0.988858), ("8PSK 3/5", 1.779991),
                      ("16APSK 2/3", 2.637201), ("32APSK 9/10", 4.453027)]:  # fmt: skip
        assert t.loc[name, "efficiency"] == pytest.approx(eff, abs=1e-6)
    assert len(t) == 28
    x = dvbs2.modcod_table("DVB-S2X").set_index("name")
    assert len(x) > len(t)
    # DVB-S2X spectral efficiencies of EN 302 307-2 Table 20a
    for name, eff in [("QPSK 13/45", 0.567805), ("16APSK 7/9", 3.077225),
                      ("256APSK 3/4", 5.900855)]:  # fmt: skip
        assert x.loc[name, "efficiency"] == pytest.approx(eff, abs=1e-6)
    # S2X codes never need more Es/N0 than an S2 code of the same modulation and a higher
    # rate: check 16APSK 7/9 (0.778) sits between S2 16APSK 3/4 and 4/5
    assert t.loc["16APSK 3/4", "esn0_db"] < x.loc["16APSK 7/9", "esn0_db"]
    assert x.loc["16APSK 7/9", "esn0_db"] < t.loc["16APSK 4/5", "esn0_db"]
    with pytest.raises(ValueError, match="standard"):
        dvbs2.modcod_table("DVB-T")


def test_best_modcod_choice():
    s2 = dvbs2.modcod_table("DVB-S2")
    idx, eff = dvbs2.best_modcod(np.array([-5.0, 1.5, 7.0, 30.0]), 0.5, s2)
    names = [s2["name"][i] if i >= 0 else None for i in idx]
    # 1.5 dB with 0.5 dB margin: 1.0 dB available -> QPSK 1/2 (needs 1.00)
    # 7.0 dB: 6.5 available -> best efficiency among those needing <= 6.5 is QPSK 9/10
    assert names == [None, "QPSK 1/2", "QPSK 9/10", "32APSK 9/10"]
    assert eff[0] == 0.0
    assert dvbs2.required_esn0_db(0.98, 0.5, s2) == pytest.approx(1.5)
    assert np.isinf(dvbs2.required_esn0_db(6.0, 0.5, s2))


def _budget(scenario, diameter, p):
    az, el, rng = link.geo_look_angles(12.64, -8.0, 0.0, 0.38)
    return budget.forward_link(scenario, 12.64, -8.0, 0.38, el, rng,
                               scenario.satellite_eirp_dbw, diameter, p)  # fmt: skip


@pytest.mark.parametrize("scenario", [defaults.KU, defaults.KA])
def test_bigger_dish_never_worse(scenario):
    d = np.array(defaults.STANDARD_DISHES_M)
    r = _budget(scenario, d, 0.5)
    assert np.all(np.diff(r["esn0_down"]) > 0)
    assert np.all(np.diff(r["esn0_total"]) >= 0)
    assert np.all(np.diff(r["throughput_mbps"]) >= 0)


@pytest.mark.parametrize("scenario", [defaults.KU, defaults.KA])
def test_higher_availability_needs_more_margin(scenario):
    p = np.array([5.0, 1.0, 0.5, 0.1, 0.05, 0.01, 0.001])  # increasing availability
    r = _budget(scenario, 1.2, p)
    assert np.all(np.diff(r["attenuation"]) > 0)
    assert np.all(np.diff(r["esn0_total"]) < 0)
    assert np.all(np.diff(r["throughput_mbps"]) <= 0)


def test_rain_raises_system_noise():
    r = _budget(defaults.KU, 0.9, np.array([1.0, 0.01]))
    assert np.all(r["t_sys_k"] > r["t_sys_clear_k"])
    assert r["t_sys_k"][1] > r["t_sys_k"][0]
