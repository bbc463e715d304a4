"""Default Ku-band and Ka-band GEO broadband scenarios, every number with its source.

The values are planning defaults typical of commercial systems serving West Africa, not
the parameters of any one operator; change them through :func:`dataclasses.replace` or
the CLI options.
"""

from __future__ import annotations

from dataclasses import dataclass

from sahelsat.inputs import Site

#: Standard terminal dish diameters (m) a planner chooses from (issue 4; common catalogue
#: sizes of offset VSAT/DTH reflectors).
STANDARD_DISHES_M = (0.6, 0.75, 0.9, 1.2, 1.8, 2.4)

#: Minutes in an average year (365.25 days), for annual outage minutes.
MINUTES_PER_YEAR = 365.25 * 24 * 60


@dataclass(frozen=True)
class Scenario:
    """One forward (gateway -> satellite -> terminal) GEO link design.

    Frequencies GHz, EIRP dBW, G/T dB/K, angles deg, temperatures K, rates baud and Mbit/s.
    The uplink is taken at clear sky with uplink power control at the gateway.
    """

    name: str
    downlink_ghz: float
    uplink_ghz: float
    tilt_deg: float
    satellite_eirp_dbw: float
    beam_3db_deg: float
    beam_shape: str
    beam_spacing_deg: float
    satellite_gt_dbk: float
    gateway_eirp_dbw: float
    symbol_rate_baud: float
    c_over_i_db: float
    c_over_im_db: float
    antenna_noise_k: float
    lnb_nf_db: float
    efficiency: float
    pointing_error_deg: float
    implementation_margin_db: float
    availability_percent: float
    throughput_mbps: float
    min_elevation_deg: float = 10.0


KU = Scenario(
    name="Ku GEO broadband",
    # 10.7-12.75 GHz FSS space-to-Earth and 14.0-14.5 GHz Earth-to-space, Region 1
    # (ITU Radio Regulations Article 5); mid-band carriers.
    downlink_ghz=11.7,
    uplink_ghz=14.25,
    # Linear polarisation, horizontal: the worse case for rain (P.838-3 k_H > k_V).
    tilt_deg=0.0,
    # Wide regional Ku beams over West Africa peak at about 48-54 dBW on operators'
    # published footprint maps; 52 dBW is a mid value.
    satellite_eirp_dbw=52.0,
    # One regional beam over Mali, Niger and Burkina Faso: about 2,000 km seen from
    # 36,000 km is 3.2 deg; 3.5 deg keeps the edges within about 3 dB.
    beam_3db_deg=3.5,
    beam_shape="gaussian",
    beam_spacing_deg=0.0,  # a single beam centred on the region
    # Transponder G/T of regional Ku beams: 0 to +6 dB/K on published footprints.
    satellite_gt_dbk=3.0,
    # A 6-9 m gateway with a few hundred watts reaches 75-80 dBW; 76 dBW assumed.
    gateway_eirp_dbw=76.0,
    # 36 MHz transponder, one carrier with DVB-S2 roll-off 0.2: 36 / 1.2 = 30 Mbaud.
    symbol_rate_baud=30e6,
    # Adjacent-satellite interference allowance for 2-deg GEO spacing with dishes meeting
    # ITU-R S.580/S.465 side-lobe masks: C/I of 18-22 dB is usual; 20 dB assumed.
    c_over_i_db=20.0,
    # Single carrier near saturation: intermodulation C/IM about 20-25 dB; 22 dB assumed.
    c_over_im_db=22.0,
    # Clear-sky antenna noise of a Ku dish above 20 deg elevation: about 30 K (issue 4;
    # ITU-R P.372 sky brightness plus ground spill-over).
    antenna_noise_k=30.0,
    # Ku LNB noise figures of 0.3-0.7 dB are typical of datasheets (issue 4); 0.5 dB.
    lnb_nf_db=0.5,
    # Aperture efficiency of offset-fed reflectors: 0.6-0.7 in manufacturers' data.
    efficiency=0.65,
    # Residual pointing error of a professionally installed fixed dish: about 0.1-0.2 deg.
    pointing_error_deg=0.15,
    # Demodulator implementation margin over the ideal Es/N0: 0.3-1 dB (issue 4).
    implementation_margin_db=0.5,
    # Target availability of an average year (issue 4 example) and carrier throughput:
    # 60 Mbit/s in 30 Mbaud needs 2 bit/symbol (8PSK 2/3 class), a usual Ku DVB-S2 carrier.
    availability_percent=99.5,
    throughput_mbps=60.0,
)

KA = Scenario(
    name="Ka GEO high-throughput",
    # 19.7-20.2 GHz and 29.5-30.0 GHz: the Ka FSS user bands of high-throughput satellites
    # (ITU Radio Regulations Article 5).
    downlink_ghz=19.95,
    uplink_ghz=29.75,
    # Circular polarisation, usual on Ka HTS user beams (P.838 tilt 45 deg).
    tilt_deg=45.0,
    # Ka spot beams of HTS systems peak at about 58-62 dBW; 60 dBW assumed.
    satellite_eirp_dbw=60.0,
    # Spot beams about 0.6-0.8 deg wide (250-500 km on the ground); 0.7 deg assumed.
    beam_3db_deg=0.7,
    beam_shape="bessel",
    # Hexagonal-like lattice: centres about 0.87 beamwidths apart (triple-point at about
    # -4 dB); laid on a lat/lon grid over the region (see sahelsat.comms.service).
    beam_spacing_deg=0.6,
    # Spot-beam G/T of Ka HTS: about 10-20 dB/K; 15 dB/K assumed.
    satellite_gt_dbk=15.0,
    # Ka gateways (7-9 m, 200-500 W) reach 80-85 dBW; 82 dBW assumed.
    gateway_eirp_dbw=82.0,
    # 250 MHz user channel, roll-off 0.05 with DVB-S2X: about 230 Mbaud; one 100 Mbaud
    # carrier assumed (half a channel, a common HTS carrier size).
    symbol_rate_baud=100e6,
    # Four-colour frequency reuse: co-channel C/I of 14-18 dB between spot beams; 16 dB.
    c_over_i_db=16.0,
    c_over_im_db=20.0,
    # Clear-sky antenna noise at 20 GHz is higher than at Ku (water vapour line at 22 GHz,
    # ITU-R P.372): about 50 K.
    antenna_noise_k=50.0,
    # Ka LNB datasheets give 1.0-1.5 dB noise figure; 1.2 dB assumed.
    lnb_nf_db=1.2,
    efficiency=0.6,
    # Narrower beams need tighter pointing: 0.1 deg.
    pointing_error_deg=0.1,
    # DVB-S2X at high symbol rates: 0.5-1 dB implementation margin; 0.8 dB assumed.
    implementation_margin_db=0.8,
    # 200 Mbit/s in 100 Mbaud: 2 bit/symbol at 99.5 % of the year.
    availability_percent=99.5,
    throughput_mbps=200.0,
)

SCENARIOS = {"ku": KU, "ka": KA}

#: The gateway that uplinks the forward carriers of a terminal's link budget: at Bamako
#: (the national ground station, sahelsat.places.GROUND_STATIONS, rounded), 400 m.
GATEWAY = Site(name="Bamako gateway", latitude_deg=12.64, longitude_deg=-8.0, altitude_m=400.0)

#: Designed GEO slots (deg east) for the region: orbital positions of the arc between
#: 30 W and 30 E that see Mali, Niger and Burkina Faso above 50 deg elevation.
DESIGNED_SLOTS_DEG = (-5.0, 0.0, 5.0, 10.0)

LEO_KU = Scenario(
    name="Ku LEO broadband (bent pipe)",
    # 10.7-11.7 GHz, the part of the Ku FSS downlink where RR Article 21 Table 21-4 sets
    # the power-flux-density mask of non-GSO systems (used by sahelsat.comms.leo).
    downlink_ghz=11.2,
    # Ka feeder uplink 27.5-29.1 GHz (non-GSO FSS gateways, RR Article 5).
    uplink_ghz=28.5,
    tilt_deg=45.0,  # circular polarisation on the user link
    # PFD-limited: the EIRP towards a terminal follows the Article 21 mask and the range
    # (sahelsat.comms.leo.pfd_limited_eirp_dbw), so no fixed beam EIRP.
    satellite_eirp_dbw=float("nan"),
    beam_3db_deg=0.0,
    beam_shape="gaussian",
    beam_spacing_deg=0.0,
    # Small LEO satellites' receive G/T on the feeder link: about 0-10 dB/K; 5 dB/K.
    satellite_gt_dbk=5.0,
    # Tracking gateway antennas (2-3 m) reach about 65-70 dBW at Ka; 68 dBW assumed.
    gateway_eirp_dbw=68.0,
    # 250 MHz user channels with roll-off 0.2: about 208 Mbaud.
    symbol_rate_baud=250e6 / 1.2,
    # Self-interference between co-frequency beams and other systems: C/I about 15 dB.
    c_over_i_db=15.0,
    c_over_im_db=20.0,
    # Electronically steered user terminals see warmer sky and ground at low elevation:
    # about 50 K antenna noise and 1-2 dB front-end noise figure (1.5 dB assumed).
    antenna_noise_k=50.0,
    lnb_nf_db=1.5,
    efficiency=0.65,
    pointing_error_deg=0.2,  # tracking error of a steered beam
    implementation_margin_db=1.0,  # 0.3-1 dB (issue 4); upper end for fast-varying links
    availability_percent=99.5,
    throughput_mbps=200.0,
    # Minimum operational elevation of large LEO constellations: 25 deg (Starlink) to
    # about 40-55 deg (OneWeb); 25 deg assumed.
    min_elevation_deg=25.0,
)
