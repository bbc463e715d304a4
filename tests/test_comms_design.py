"""Connectivity system design against hand-computed cases: the ITU-R S.672-4 pattern, one
beam alone, two co-channel beams, P.618 site diversity (against ``itur``), demand, capacity
as demand moves out of a beam, gateways, DTH channels, products and the command."""

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from sahelsat.comms import beams, broadcast, demand, design, dvbs2, gateways, hts, link
from sahelsat.comms.defaults import (
    BroadcastParameters,
    DemandParameters,
    GatewayParameters,
    HtsParameters,
    ParameterError,
)
from sahelsat.comms.itu import attenuation_components

C = 299_792_458.0


# --- ITU-R S.672-4 Annex 1 pattern, computed by hand from the recommendation -------------


def _s672_by_hand(psi, gm, psi0, ln):
    a = {-20: 2.58, -25: 2.88, -30: 3.16}[ln]
    b = 6.32
    if psi <= a * psi0:
        return gm - 3.0 * (psi / psi0) ** 2
    if psi <= 0.5 * b * psi0:
        return gm + ln + 20.0 * math.log10(1.0)  # z = 1 (circular beam)
    if psi <= b * psi0:
        return gm + ln
    x = gm + ln + 25.0 * math.log10(b * psi0)
    y = b * psi0 * 10.0 ** (0.04 * (gm + ln - 0.0))
    return x - 25.0 * math.log10(psi) if psi <= y else 0.0


@pytest.mark.parametrize("ln", [-20, -25, -30])
def test_s672_pattern_against_the_recommendations_formula(ln):
    gm, width = 52.8, 0.4
    for psi in (0.2, 0.3, 0.5, 0.55, 0.6, 0.9, 1.2, 1.3, 2.0, 5.0, 12.0, 20.0, 60.0):
        got = float(link.s672_gain_dbi(psi, gm, width, ln))
        assert got == pytest.approx(_s672_by_hand(psi, gm, width / 2, ln), abs=1e-9), psi
    # 3 dB down at half the beamwidth, peak on axis, continuous where segments meet
    assert float(link.s672_gain_dbi(width / 2, gm, width, ln)) == pytest.approx(gm - 3.0)
    assert float(link.s672_gain_dbi(0.0, gm, width, ln)) == gm
    b_edge = 6.32 * width / 2
    lo, hi = link.s672_gain_dbi([b_edge - 1e-9, b_edge + 1e-9], gm, width, ln)
    assert lo == pytest.approx(hi, abs=1e-3)
    with pytest.raises(ValueError, match="S.672"):
        link.s672_gain_dbi(0.1, gm, width, -22.0)


# --- beams ------------------------------------------------------------------------------


def _neighbours(q, r):
    return [(q + 1, r), (q - 1, r), (q, r + 1), (q, r - 1), (q + 1, r - 1), (q - 1, r + 1)]


@pytest.mark.parametrize("n", [3, 4, 7])
def test_reuse_colours_never_touch(n):
    qs, rs = np.meshgrid(np.arange(-5, 6), np.arange(-5, 6), indexing="ij")
    col = beams.colours(qs.ravel(), rs.ravel(), n)
    lookup = dict(zip(zip(qs.ravel(), rs.ravel(), strict=True), col, strict=True))
    assert set(col) == set(range(n))
    for (q, r), c in lookup.items():
        assert all(lookup.get(nb, -1) != c for nb in _neighbours(q, r))


def test_beam_size_and_hex_layout_cover_the_area():
    p = HtsParameters()
    lam = C / (p.downlink_ghz * 1e9)
    assert beams.beamwidth_deg(p) == pytest.approx(70.0 * lam / p.antenna_diameter_m)
    # corners of the hexagons (spacing / sqrt 3 from centre) at edge_db below peak
    corner = beams.spacing_deg(p) / math.sqrt(3.0)
    assert 3.0 * (corner / (beams.beamwidth_deg(p) / 2)) ** 2 == pytest.approx(p.edge_db)
    bs = beams.layout(p)
    assert 30 <= len(bs) <= 120
    from sahelsat.coverage_analysis.areas import make_area

    g = make_area("AES", 0.25)
    d = bs.view.directions(g.cell_lat, g.cell_lon)
    _, gain, _ = hts.serve(d, bs, p.beam_eirp_dbw, beams.peak_gain_dbi(p), p.near_sidelobe_db)
    # the cells of the area lie inside a beam's hexagon (slivers under a tenth dropped)
    assert np.mean(gain >= -p.edge_db - 1e-6) > 0.97
    # neighbouring beams are one spacing apart as seen from the satellite
    ang = np.degrees(np.arccos(np.clip(bs.direction @ bs.direction.T, -1, 1)))
    np.fill_diagonal(ang, np.inf)
    assert np.median(ang.min(axis=1)) == pytest.approx(beams.spacing_deg(p), rel=1e-3)


def _two_beams(p: HtsParameters, sep_deg: float, same_colour: bool = True):
    view = beams.View.towards(p.slot_lon_deg, 15.0, 0.0)
    x = np.array([0.0, math.tan(math.radians(sep_deg))])
    y = np.zeros(2)
    direction = view.from_plane(x, y)
    lat, lon = view.ground(direction)
    colour = np.array([0, 0 if same_colour else 1])
    bs = beams.BeamSet(np.array([0, 1]), np.array([0, 0]), x, y, direction, lat, lon, colour,
                       math.radians(sep_deg), beams.beamwidth_deg(p), view)  # fmt: skip
    return bs


def test_two_same_colour_beams_c_over_i_from_the_pattern():
    p = HtsParameters()
    psi0 = beams.beamwidth_deg(p) / 2
    sep = 2.5 * psi0  # in the main lobe: the neighbour is 3 x 2.5^2 = 18.75 dB down
    bs = _two_beams(p, sep)
    gm = beams.peak_gain_dbi(p)
    _, gain, ci = hts.serve(bs.direction[:1], bs, p.beam_eirp_dbw, gm, p.near_sidelobe_db)
    assert gain[0] == pytest.approx(0.0, abs=1e-9)
    assert ci[0] == pytest.approx(3.0 * 2.5**2, abs=1e-6)
    # a point a third of the way to the other beam: C/I = G(psi1) - G(psi2) by hand
    t = math.tan(math.radians(sep / 3))
    d = bs.view.from_plane(np.array([t]), np.array([0.0]))
    _, gain, ci = hts.serve(d, bs, p.beam_eirp_dbw, gm, p.near_sidelobe_db)
    assert gain[0] == pytest.approx(-3.0 * (sep / 3 / psi0) ** 2, abs=1e-6)
    assert ci[0] == pytest.approx(3.0 * ((2 * sep / 3) / psi0) ** 2 - 3.0 * (sep / 3 / psi0) ** 2,
                                  abs=1e-6)  # fmt: skip
    # further apart: in the near side lobes, C/I = -L_N = 25 dB
    bs = _two_beams(p, 4.0 * psi0)
    _, _, ci = hts.serve(bs.direction[:1], bs, p.beam_eirp_dbw, gm, p.near_sidelobe_db)
    assert ci[0] == pytest.approx(25.0, abs=1e-6)
    # different colours do not interfere
    bs = _two_beams(p, sep, same_colour=False)
    _, _, ci = hts.serve(bs.direction[:1], bs, p.beam_eirp_dbw, gm, p.near_sidelobe_db)
    assert np.isinf(ci[0])


def test_one_beam_alone_capacity_is_bandwidth_times_efficiency_of_its_c_over_n():
    p = HtsParameters()
    bs = _two_beams(p, 3.0, same_colour=False)
    one = dataclasses.replace(bs, q=bs.q[:1], r=bs.r[:1], x=bs.x[:1], y=bs.y[:1],
                              direction=bs.direction[:1], lat=bs.lat[:1], lon=bs.lon[:1],
                              colour=bs.colour[:1])  # fmt: skip
    lat, lon = float(one.lat[0]), float(one.lon[0])
    q = hts.link_quality(p, one, [lat], [lon], height_km=[0.0])
    assert np.isinf(q["c_over_i_db"][0])
    # the downlink by hand: EIRP - FSPL - A + G/T - k - 10 log Rs
    _, el, rng = link.geo_look_angles(lat, lon, p.slot_lon_deg, 0.0)
    f = p.downlink_ghz
    lam = C / (f * 1e9)
    a = float(attenuation_components(lat, lon, f, el, p.capacity_percent, p.terminal_diameter_m,
                                     p.terminal_efficiency, p.tilt_deg, 0.0)["total"])  # fmt: skip
    fspl = 20 * math.log10(4 * math.pi * float(rng) * 1e3 / lam)
    gain = 10 * math.log10(p.terminal_efficiency * (math.pi * p.terminal_diameter_m / lam) ** 2)
    pointing = 12.0 * (p.pointing_error_deg / (70 * lam / p.terminal_diameter_m)) ** 2
    fade = 10 ** (-a / 10)
    t_sys = p.antenna_noise_k * fade + 275.0 * (1 - fade) + 290.0 * (10 ** (p.lnb_nf_db / 10) - 1)
    cn = (p.beam_eirp_dbw - fspl - a + gain - pointing - 10 * math.log10(t_sys)
          + 228.5991 - 10 * math.log10(p.symbol_rate_baud))  # fmt: skip
    assert q["c_over_n_db"][0] == pytest.approx(cn, abs=1e-6)
    assert q["esn0_db"][0] == pytest.approx(cn, abs=1e-6)
    t = dvbs2.modcod_table()
    eff = t.loc[t["esn0_db"] + p.implementation_margin_db <= cn, "efficiency"].max()
    assert q["efficiency"][0] == pytest.approx(eff)
    cap, share = hts.beam_capacity(q, [5.0], [1000.0], 1, p)
    assert cap["capacity_mbps"][0] == pytest.approx(p.symbol_rate_baud * eff / 1e6)
    assert p.symbol_rate_baud == pytest.approx(250e6 / 1.05)  # 500 MHz x 2 pol / 4 colours
    assert share[0] == 1.0 and cap["people_served"][0] == 1000.0


def test_capacity_never_rises_as_demand_moves_out_of_the_beam_centre():
    p = HtsParameters()
    bs = beams.layout(p)
    k = int(np.argmin(np.hypot(bs.x, bs.y)))  # a beam near the middle
    view = bs.view
    rad = bs.spacing_rad / math.sqrt(3.0)
    fixed = view.ground(view.from_plane(np.array([bs.x[k]]), np.array([bs.y[k]])))
    caps = []
    for f in np.linspace(0.0, 0.85, 12):  # the hexagon's edge is at sqrt(3)/2 = 0.866
        d = view.from_plane(np.array([bs.x[k] + f * rad]), np.array([bs.y[k]]))
        lat, lon = view.ground(d)
        la = np.array([fixed[0][0], lat[0]])
        lo = np.array([fixed[1][0], lon[0]])
        q = hts.link_quality(p, bs, la, lo, height_km=np.zeros(2))
        assert (q["beam"] == k).all()
        cap, _ = hts.beam_capacity(q, [1.0, 4.0], [1.0, 1.0], len(bs), p)
        caps.append(cap["capacity_mbps"][k])
    assert all(b <= a + 1e-9 for a, b in zip(caps, caps[1:], strict=False))
    assert caps[-1] < caps[0]


def test_beam_table_eirp_gt_and_power():
    p = HtsParameters()
    bs = beams.layout(p)
    t = hts.beam_figures(p, bs)
    lam_up = C / (p.uplink_ghz * 1e9)
    g_up = 10 * math.log10(p.antenna_efficiency * (math.pi * p.antenna_diameter_m / lam_up) ** 2)
    assert t["gt_dbk"][0] == pytest.approx(g_up - 10 * math.log10(p.satellite_noise_k))
    assert (t["edge_eirp_dbw"] == p.beam_eirp_dbw - p.edge_db).all()
    gm = beams.peak_gain_dbi(p)
    assert t["rf_power_w"][0] == pytest.approx(10 ** ((p.beam_eirp_dbw - gm + p.output_loss_db)
                                                      / 10))  # fmt: skip
    assert len(t) == len(bs) and set(t["colour"]) == set(range(p.colours))


# --- demand -----------------------------------------------------------------------------


def test_demand_by_hand():
    d = demand.demand([3000.0, 100.0, 0.0], DemandParameters())
    # 3,000 people: 500 households, 50 subscribers at 10 / 20 Mbit/s = 25 Mbit/s;
    # 2 schools x 20 / 4, one health centre 10 / 2, one commune seat 10 / 2
    assert d["households"][0] == pytest.approx(500.0)
    assert d["residential_mbps"][0] == pytest.approx(25.0)
    assert d["schools"][0] == 2 and d["health_centres"][0] == 1 and d["administration"][0] == 1
    assert d["demand_mbps"][0] == pytest.approx(25.0 + 10.0 + 5.0 + 5.0)
    # 100 people: below every institution's threshold
    assert d["institution_mbps"][1] == 0.0 and d["demand_mbps"][2] == 0.0
    cells = demand.demand([3000.0], DemandParameters(), kind="cell")
    assert cells["schools"][0] == pytest.approx(2.0) and cells["health_centres"][0] == 0.3
    with pytest.raises(ParameterError, match="demand.take_up"):
        DemandParameters(take_up=1.5)
    with pytest.raises(ParameterError, match="population"):
        demand.demand([-1.0])


def test_population_base_says_what_it_is():
    s = demand.settlements()
    assert {"name", "lat", "lon", "population", "region", "source"} <= set(s.columns)
    assert set(s["source"]) <= {"openstreetmap", "geonames"} and len(s) > 30_000
    # the base carries the official figures: INSTAT Mali 2022 (20 regions), INSD Burkina
    # Faso 2019, INS Niger 2026 projection
    assert s["population"].sum() == pytest.approx(22_395_490 + 20_505_155 + 28_581_568)


# --- gateways ---------------------------------------------------------------------------


def test_site_diversity_against_itur():
    """P.618-13 §2.2.4.1 against ITU-Rpy's independent implementation (ITU-R's validation
    examples hold no site-diversity case)."""
    import warnings

    from itur.models.itu618 import _ITU618_13

    cases = [(25.768, -80.205, 7.0, 60.0, 25.463, -80.486, 7.0, 60.0, 20.0),
             (12.61, -7.98, 10.0, 70.0, 12.74, -8.07, 9.0, 70.0, 28.5),
             (12.61, -7.98, 5.0, 70.0, 13.51, 2.11, 5.0, 72.0, 20.0),
             (51.5, -0.14, 6.0, 31.0, 52.2, 0.12, 5.0, 31.0, 14.25)]  # fmt: skip
    for la1, lo1, a1, e1, la2, lo2, a2, e2, f in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = float(_ITU618_13.site_diversity_rain_outage_probability(
                lat1=la1, lon1=lo1, a1=a1, lat2=la2, lon2=lo2, a2=a2, f=f, el1=e1, el2=e2,
                tau=45, hs1=0.1, hs2=0.1))  # fmt: skip
        ours = gateways.site_diversity_outage(la1, lo1, a1, e1, la2, lo2, a2, e2, f, 45.0, 0.1,
                                              0.1, rain_rate="map")  # fmt: skip
        assert ours == pytest.approx(ref, rel=1e-5)


def test_site_diversity_limits():
    from scipy import stats

    f = 20.0
    r1 = gateways.rain_statistics(12.6, -8.0, 70.0, f, 45.0, 0.3)
    r2 = gateways.rain_statistics(13.5, 2.1, 72.0, f, 45.0, 0.2)

    def single(a, rain):  # the log-normal model's own single-site exceedance (%)
        p, (m, s) = rain
        return p * stats.norm.sf((math.log(a) - m) / s)

    # sites far apart: nearly independent, P = P1 P2 / 100
    far = gateways.joint_outage(5000.0, 6.0, r1, 5.0, r2)
    assert far == pytest.approx(single(6.0, r1) * single(5.0, r2) / 100.0, rel=1e-3)
    # a site with itself (d = 0, both correlations 1): the joint outage is the single one
    same = gateways.joint_outage(0.0, 6.0, r1, 6.0, r1)
    assert same == pytest.approx(single(6.0, r1), rel=1e-3)
    # diversity only helps: the joint outage is below either site's
    mid = gateways.joint_outage(40.0, 6.0, r1, 6.0, r1)
    assert far < mid < same


def test_gateways_needed_and_chosen():
    h = HtsParameters()
    g = GatewayParameters(band="Ka", site_diversity=False)
    # 59 beams x 250 MHz over 2,000 MHz x 2 polarisations: 3.7 -> 4 gateways
    assert gateways.gateways_needed(h, 59, g) == 4
    assert gateways.gateways_needed(h, 59, GatewayParameters(band="Q/V")) == 2
    cands = ("Bamako", "Niamey", "Ouagadougou", "Agadez", "Zinder")
    plan = gateways.plan_gateways(h, 20, dataclasses.replace(g, candidates=cands))
    assert plan.needed == 2
    best = plan.sites.nsmallest(2, "outage_percent")["name"]
    assert set(plan.pairs["site"]) == set(best)
    s = plan.sites.iloc[0]
    # feeder Es/N0 by hand: EIRP - FSPL + G/T - k - 10 log Rs
    lam = C / (28.5e9)
    fspl = 20 * math.log10(4 * math.pi * s["range_km"] * 1e3 / lam)
    es = g.carrier_eirp_dbw - fspl + g.satellite_gt_dbk + 228.5991 - 10 * math.log10(
        h.symbol_rate_baud)  # fmt: skip
    assert s["esn0_clear_db"] == pytest.approx(es, abs=1e-6)
    div = gateways.plan_gateways(h, 20, GatewayParameters(band="Ka", candidates=cands))
    assert len(div.pairs) == 2 and (div.pairs["diversity_site"] != "").all()
    singles = div.sites.set_index("name")["outage_percent"]
    for r in div.pairs.itertuples():
        assert r.outage_percent <= min(singles[r.site], singles[r.diversity_site])
    with pytest.raises(ParameterError, match="gateways.candidates"):
        gateways.plan_gateways(h, 20, GatewayParameters(candidates=("Bamako", "Nowhere")))
    with pytest.raises(ParameterError, match="gateways.candidates"):
        gateways.plan_gateways(h, 200, GatewayParameters(candidates=("Bamako", "Niamey")))


# --- broadcasting -----------------------------------------------------------------------


def test_dth_channels_by_hand():
    p = BroadcastParameters()
    ch = broadcast.channels(p).set_index("coding")
    mbps = 30e6 * ((43040 - 80) / (90 * (21600 // 90 + 1))) / 1e6  # 8PSK 2/3, 30 Mbaud
    assert ch["carrier_mbps"].iloc[0] == pytest.approx(mbps)
    left = mbps - 10 * 0.096
    assert ch.loc["HEVC HD", "tv_channels"] == math.floor(left / 4.0)
    assert ch.loc["MPEG-4 SD", "tv_channels"] == math.floor(left / 2.5)
    with pytest.raises(ParameterError, match="broadcast.modcod"):
        broadcast.channels(BroadcastParameters(modcod="QAM 9/7"))


def test_dth_reach_grows_with_the_dish():
    from sahelsat.coverage_analysis.areas import make_area

    p = BroadcastParameters(dishes_m=(0.45, 0.6, 0.9))
    s = demand.settlements().head(40)
    r = broadcast.dth_reach(p, 0.0, s, make_area("BFA", 0.5))
    assert np.all(np.diff(r.reach["area_km2"]) >= 0) and np.all(np.diff(r.reach["people"]) >= 0)
    assert np.all(np.diff(r.settlement_availability, axis=1) >= -1e-9)


# --- the whole design, products, trade, command -------------------------------------------


@pytest.fixture(scope="module")
def small_design():
    s = demand.settlements(["BFA"])
    params = design.DesignParameters(name="test", grid_resolution_deg=0.5, leo=(),
                                     broadcast=BroadcastParameters(step_deg=1.0))  # fmt: skip
    return design.run_design(params, settlements=s)


def test_design_accounts_add_up(small_design):
    d = small_design
    bt, loc = d.beam_table, d.locations
    assert bt["offered_mbps"].sum() == pytest.approx(loc.loc[loc["beam"] >= 0,
                                                             "demand_mbps"].sum())  # fmt: skip
    assert (bt["served_mbps"] <= bt["capacity_mbps"] + 1e-9).all()
    assert (bt["served_mbps"] <= bt["offered_mbps"] + 1e-9).all()
    people = bt["people_served"] + bt["people_unserved"]
    assert people.sum() == pytest.approx(loc.loc[loc["beam"] >= 0, "population"].sum())
    assert d.regions["people_served"].sum() == pytest.approx(bt["people_served"].sum())
    assert d.summary["beams"] == len(d.beams) == len(bt)
    assert d.grid["c_over_i_db"].dims == ("lat", "lon")


def test_a_bad_settlement_row_is_skipped_and_reported():
    s = demand.settlements(["BFA"]).head(12).astype({"lat": object})
    s.loc[3, "lat"] = "12,3N"
    params = design.DesignParameters(grid_resolution_deg=1.0, leo=())
    d = design.run_design(params, settlements=s, gateways_on=False, broadcast_on=False)
    assert len(d.locations) == 11
    assert d.notes[0] == ("design_note_skipped", {"n": 1, "rows": "settlements row 3: lat/lon "
                                                  "not a position"})  # fmt: skip
    assert "1 lignes de localités ignorées" in design.summary_text(d, "fr")


def test_products_are_written(small_design, tmp_path):
    table = design.trade_table([small_design])
    paths = design.write_products(small_design, tmp_path, table)
    names = {p.name for p in paths}
    assert {
        "beams.geojson",
        "beams.csv",
        "regions.csv",
        "grid.nc",
        "gateways.csv",
        "dth_reach.csv",
        "trade.csv",
        "summary.en.txt",
        "summary.fr.txt",
    } <= names
    gj = json.loads((tmp_path / "beams.geojson").read_text())
    assert len(gj["features"]) == len(small_design.beams)
    assert gj["features"][0]["geometry"]["type"] == "Polygon"
    assert gj["metadata"]["pattern"] == "ITU-R S.672-4 Annex 1"
    with xr.open_dataset(tmp_path / "grid.nc") as ds:
        assert ds["esn0_db"].attrs["units"] == "dB"
    assert "personnes servies" in (tmp_path / "summary.fr.txt").read_text()
    assert not list(tmp_path.glob("*.part"))
    pub = pd.read_csv(tmp_path / "leo_published.csv")
    assert pub.empty  # no constellation compared: no capacity figure


def test_trade_changes_one_thing_at_a_time():
    s = demand.settlements(["BFA"]).head(30)
    base = design.DesignParameters(grid_resolution_deg=1.0, leo=())
    table, designs = design.trade(base, [{"hts.beam_eirp_dbw": 55.0},
                                         {"hts.colours": 7, "hts.polarisations": 1}],
                                  settlements=s, gateways_on=False)  # fmt: skip
    assert len(table) == 3 and table["beams"].nunique() == 1
    assert table["capacity_gbps"][1] < table["capacity_gbps"][0]  # less EIRP, less capacity
    assert table["beam_bandwidth_mhz"][2] == pytest.approx(500.0 / 7)
    assert table["median_c_over_i_db"][2] > table["median_c_over_i_db"][0]  # 7 colours
    with pytest.raises(ParameterError, match="hts.nope"):
        design.trade(base, [{"hts.nope": 1}], settlements=s)
    with pytest.raises(ParameterError, match="hts.colours"):
        design.update(base, {"hts.colours": 3})  # 3 colours over 2 polarisations


def test_demand_driven_layout_puts_beams_where_demand_is():
    s = demand.settlement_demand(demand.settlements())
    p = HtsParameters(layout="demand", n_beams=12)
    bs = beams.layout(p, (s["lat"], s["lon"], s["demand_mbps"]))
    assert len(bs) == 12
    full = beams.layout(HtsParameters())
    q = hts.link_quality(p, bs, s["lat"].to_numpy(), s["lon"].to_numpy())
    held = np.bincount(q["beam"][q["beam"] >= 0], s["demand_mbps"][q["beam"] >= 0], 12)
    # twelve beams of the lattice hold far more than twelve average lattice beams
    assert held.sum() > 12 / len(full) * s["demand_mbps"].sum() * 3


def test_leo_visibility_matches_the_fleets_own_look_angles():
    from sahelsat.comms.defaults import LEO_CONSTELLATIONS
    from sahelsat.comms.leo import settlement_visibility
    from sahelsat.fleet import catalogue

    c = LEO_CONSTELLATIONS[0]  # OneWeb, 55 deg
    s = demand.settlements().head(3)
    vis = settlement_visibility(c, s, "2026-05-31T00:00", hours=1.0, step_s=60.0)
    times = np.datetime64("2026-05-31T00:00", "ns") + np.arange(60) * np.timedelta64(60, "s")
    sites = [(n, la, lo, 0.0) for n, la, lo in zip(s["name"], s["lat"], s["lon"], strict=True)]
    _, el, _ = catalogue(c.catalogue).look_angles(sites, times)
    seen = (np.nan_to_num(el, nan=-90.0) >= c.min_elevation_deg).any(axis=1)
    np.testing.assert_allclose(vis["percent_visible"], 100.0 * seen.mean(axis=1), atol=1e-9)


def test_command_runs_a_design_and_names_bad_parameters(tmp_path):
    from sahelsat.cli import app

    runner = CliRunner()
    out = tmp_path / "d"
    args = ["design", "--countries", "BFA", "--no-leo", "--grid-resolution", "1.0", "--set",
            "broadcast.step_deg=1.0", "--out", str(out)]  # fmt: skip
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert (out / "beams.geojson").is_file() and "spot beams" in r.output
    r = runner.invoke(app, ["design", "--set", "hts.colours=banana", "--out", str(out)])
    assert r.exit_code == 2 and "hts.colours" in r.output
    r = runner.invoke(app, ["design", "--trade", "nonsense", "--out", str(out)])
    assert r.exit_code != 0 and "PATH=VALUE" in r.output
