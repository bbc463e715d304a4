"""ITU-R propagation models against ITU-R's own validation examples and against ``itur``."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sahelsat
from sahelsat.comms.itu import (
    REVISIONS,
    attenuation_components,
    p453,
    p618,
    p676,
    p836,
    p837,
    p838,
    p839,
    p840,
    p1510,
    p1511,
    total_attenuation,
)

VALIDATION = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "itu-r-validation"
DB = 0.01  # dB, the project's tolerance for attenuations
REL = 1e-4  # 0.01 % relative, for other quantities

pytestmark = pytest.mark.skipif(not VALIDATION.is_dir(), reason="shared validation data absent")


def table(name: str) -> pd.DataFrame:
    """One validation CSV (second line holds units)."""
    df = pd.read_csv(VALIDATION / name, skiprows=[1], encoding="latin1")
    df.columns = [c.strip() for c in df.columns]
    return df


def test_public_contract_and_revisions():
    assert sahelsat.total_attenuation is total_attenuation
    assert REVISIONS["P.618"] == "P.618-13"
    assert REVISIONS["P.676"] == "P.676-12"
    assert REVISIONS["P.840"] == "P.840-8"
    assert REVISIONS["P.837"] == "P.837-7"


def test_p618_13_total_attenuation():
    df = table("618/ITURP618-13_A_total.csv")
    args = [df[c].to_numpy() for c in ("lat", "lon", "f", "el", "p", "D", "eta", "tau", "hs")]
    got = total_attenuation(*args[:8], height_km=args[8])
    np.testing.assert_allclose(got, df["A_total"], atol=DB, rtol=0)
    parts = attenuation_components(*args[:8], height_km=args[8])
    for key, col in [("gas", "A_gas_1"), ("cloud", "A_clouds_1"), ("rain", "A_rain"),
                     ("scintillation", "A_scin")]:  # fmt: skip
        np.testing.assert_allclose(parts[key], df[col], atol=DB, rtol=0, err_msg=key)


@pytest.mark.parametrize("name", ["618/ITURP618-13_A_rain.csv", "618/ITURP618-14_A_rain.csv"])
def test_p618_rain_attenuation(name):
    df = table(name)
    got = p618.rain_attenuation(
        df["lat"], df["f"], df["el"], df["p"], df["hs"], p839.rain_height(df["lat"], df["lon"]),
        df["R001"], df["tau"],
    )  # fmt: skip
    np.testing.assert_allclose(got, df["A_rain"], atol=DB, rtol=0)
    np.testing.assert_allclose(p837.rainfall_rate(df["lat"], df["lon"], 0.01), df["R001"],
                               rtol=REL)  # fmt: skip


@pytest.mark.parametrize("name", ["618/ITURP618-13_A_sci.csv", "618/ITURP618-14_A_sci.csv"])
def test_p618_scintillation(name):
    df = table(name)
    nwet = p453.wet_refractivity(df["lat"].to_numpy(), df["lon"].to_numpy(), 50)
    got = p618.scintillation_attenuation(df["f"], df["el"], df["p"], df["D"], df["eta"], nwet)
    np.testing.assert_allclose(got, df["A_scin"], atol=DB, rtol=0)


def test_p676_12_specific_attenuation():
    df = table("676/ITURP676-12_gamma.csv")
    g0 = p676.gamma_oxygen(df["f"], df["P"], df["rho"], df["T"])
    gw = p676.gamma_water(df["f"], df["P"], df["rho"], df["T"])
    np.testing.assert_allclose(g0, df["gamma0"], rtol=REL)
    np.testing.assert_allclose(gw, df["gammaw"], rtol=REL)


def test_p676_12_slant_path():
    df = table("676/ITURP676-12_A_gas.csv")
    got = p676.slant_path_attenuation(df["f"], df["el"], df["rho"], df["P"], df["T"],
                                      df["V_t"], df["h"])  # fmt: skip
    np.testing.assert_allclose(got, df["A_gas"], atol=DB, rtol=0)


def test_p676_12_zenith_water_vapour():
    df = table("676/ITURP676-12_zenith_attenuation.csv")
    got = p676.zenith_water_vapour_attenuation(df["f"], df["V_t"], df["h"])
    np.testing.assert_allclose(got, df["Aw"], atol=1e-4, rtol=0)


def test_p840_8_clouds():
    df = table("840/ITURP840-8_cloud_attenuation.csv")
    got = p840.cloud_attenuation(df["lat"], df["lon"], df["el"], df["f"], df["p"])
    np.testing.assert_allclose(got, df["Ac"], atol=DB, rtol=0)
    df = table("840/ITURP840-8_columnar_content_reduced_liquid.csv")
    got = p840.reduced_liquid_water(df["lat"], df["lon"], df["p"])
    np.testing.assert_allclose(got, df["Lred"], rtol=REL)


def test_p837_7_rain_rates():
    df = table("837/ITURP837-7_rainfall_rate.csv")
    np.testing.assert_allclose(p837.rainfall_rate(df["lat"], df["lon"], df["p"]), df["Rp"],
                               rtol=REL)  # fmt: skip
    df = table("837/ITURP837-7_rainfall_rate_R001.csv")
    np.testing.assert_allclose(p837.rainfall_rate_r001(df["lat"], df["lon"]), df["Rp"], rtol=REL)
    df = table("837/ITURP837-7_rainfall_rate_probability.csv")
    np.testing.assert_allclose(p837.rainfall_probability(df["lat"], df["lon"]), df["p"], rtol=REL)


def test_p838_3_coefficients():
    df = table("838/ITURP838-3_rain_specific_attenuation.csv")
    k, alpha = p838.coefficients(df["f"], df["el"], df["tau"])
    np.testing.assert_allclose(k, df["k"], rtol=REL)
    np.testing.assert_allclose(alpha, df["alpha"], rtol=REL)
    gamma = p838.specific_attenuation(df["R"], df["f"], df["el"], df["tau"])
    np.testing.assert_allclose(gamma, df["gamma_r"], rtol=REL)


def test_p839_4_rain_height():
    df = table("839/ITURP839-4_rain_height.csv")
    np.testing.assert_allclose(p839.isotherm_0_height(df["lat"], df["lon"]), df["h0"], rtol=REL)
    np.testing.assert_allclose(p839.rain_height(df["lat"], df["lon"]), df["hr"], rtol=REL)


def test_p453_wet_refractivity():
    df = table("453/ITURP453-14_Nwet.csv")
    got = p453.wet_refractivity(df["lat"].to_numpy(), df["lon"].to_numpy(), 50)
    np.testing.assert_allclose(got, df["Nwet"], rtol=REL)


def test_p836_6_water_vapour():
    df = table("836/ITURP836-6_surface_water_vapour_density_annual.csv")
    got = p836.surface_water_vapour_density(df["lat"], df["lon"], df["p"], df["alt"])
    np.testing.assert_allclose(got, df["rho"], rtol=REL)
    df = table("836/ITURP836-6_total_water_vapour_content_annual.csv")
    got = p836.total_water_vapour_content(df["lat"], df["lon"], df["p"], df["alt"])
    np.testing.assert_allclose(got, df["V"], rtol=REL)


def test_p1510_1_and_p1511_2():
    df = table("1510/ITURP1510-1_temperature.csv")
    np.testing.assert_allclose(p1510.surface_mean_temperature(df["lat"], df["lon"]), df["T"],
                               rtol=REL)  # fmt: skip
    df = table("1511/ITURP1511-2_topographic_altitude.csv")
    np.testing.assert_allclose(p1511.topographic_altitude(df["lat"], df["lon"]), df["hs"],
                               atol=1e-4)  # fmt: skip


def test_broadcasting_shapes():
    lat = np.array([12.6, 13.5, 17.0])[:, None]  # (site, 1)
    lon = np.array([-8.0, 2.1, -3.0])[:, None]
    p = np.array([0.1, 0.5, 1.0])  # (p,)
    got = total_attenuation(lat, lon, 12.0, 45.0, p, 1.2)
    assert got.shape == (3, 3)
    one = total_attenuation(13.5, 2.1, 12.0, 45.0, 0.5, 1.2)
    assert np.isclose(one, got[1, 1])
    # less time exceeded means a deeper fade
    assert np.all(np.diff(got, axis=1) < 0)


def test_matches_itur_on_random_sahel_sites():
    itur = pytest.importorskip("itur")
    rng = np.random.default_rng(4)
    lat, lon = rng.uniform(10.0, 24.0, 40), rng.uniform(-12.0, 16.0, 40)
    for f, el, p, d in [(12.0, 40.0, 0.5, 1.2), (20.0, 60.0, 0.1, 0.9), (29.5, 25.0, 1.0, 2.4)]:
        ours = total_attenuation(lat, lon, f, el, p, d, rain_rate="map")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = itur.atmospheric_attenuation_slant_path(lat, lon, f, el, p, d).value
        np.testing.assert_allclose(ours, ref, atol=DB, rtol=0)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"f_ghz": 70.0}, "f_ghz"),
        ({"f_ghz": 0.5}, "f_ghz"),
        ({"elevation_deg": -1.0}, "elevation_deg"),
        ({"elevation_deg": 0.0}, "elevation_deg"),
        ({"p_percent": 0.0}, "p_percent"),
        ({"p_percent": 100.0}, "p_percent"),
        ({"diameter_m": 0.0}, "diameter_m"),
        ({"revision": "P.618-99"}, "revision"),
    ],
)
def test_clear_errors(kwargs, word):
    args = {"lat": 13.5, "lon": 2.1, "f_ghz": 12.0, "elevation_deg": 45.0, "p_percent": 0.5,
            "diameter_m": 1.2} | kwargs  # fmt: skip
    with pytest.raises(ValueError, match=word):
        total_attenuation(**args)


def test_p676_13_specific_attenuation():
    """P.676-13 Annex 1 keeps the line-by-line model: its validation file is reproduced."""
    df = table("676/ITURP676-13_gamma.csv")
    np.testing.assert_allclose(p676.gamma_oxygen(df["f"], df["P"], df["rho"], df["T"]),
                               df["gamma0"], rtol=REL)  # fmt: skip
    np.testing.assert_allclose(p676.gamma_water(df["f"], df["P"], df["rho"], df["T"]),
                               df["gammaw"], rtol=REL)  # fmt: skip


def test_zenith_ratio_spline_is_exact_enough():
    rng = np.random.default_rng(7)
    v = rng.uniform(2.0, 70.0, 20_000)
    for f in (11.7, 19.95, 22.2, 29.75, 50.0):
        fast = p676._zenith_ratio(np.full(v.shape, f), v)
        exact = p676._exact_zenith_ratio(f, v)
        np.testing.assert_allclose(fast, exact, rtol=1e-9)
