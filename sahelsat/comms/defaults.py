"""Default Ku-band and Ka-band GEO broadband scenarios, every number with its source.

The values are planning defaults typical of commercial systems serving West Africa, not
the parameters of any one operator; change them through :func:`dataclasses.replace` or
the CLI options.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

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


# --- System design (sahelsat.comms.design): demand, HTS, gateways, DTH, LEO comparison ---


class ParameterError(ValueError):
    """A design parameter out of range; ``field`` names it (e.g. ``"hts.colours"``)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def check_ranges(obj, prefix: str, ranges: dict[str, tuple[float, float]]) -> None:
    """Raise :class:`ParameterError` naming ``prefix.field`` for the first field of ``obj``
    that is not a finite number within its inclusive ``(low, high)`` range."""
    import math

    for name, (lo, hi) in ranges.items():
        value = getattr(obj, name)
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"{prefix}.{name}", f"not a number: {value!r}") from None
        if not (math.isfinite(v) and lo <= v <= hi):
            raise ParameterError(f"{prefix}.{name}", f"{value!r} outside [{lo:g}, {hi:g}]")


@dataclass(frozen=True)
class Institution:
    """A kind of institution connected by the network: one per ``people_per_unit``
    inhabitants (at least one) in settlements of ``min_population`` or more, each drawing
    ``rate_mbps`` shared ``contention`` ways in the busy hour."""

    name: str
    people_per_unit: float
    min_population: float
    rate_mbps: float
    contention: float

    def __post_init__(self):
        check_ranges(self, f"demand.institutions.{self.name}", {
            "people_per_unit": (1.0, 1e7), "min_population": (0.0, 1e7),
            "rate_mbps": (0.0, 1e5), "contention": (1.0, 1e4)})  # fmt: skip


#: Schools: the UN Office of the Secretary-General's Envoy on Technology and ITU 2030
#: targets for universal and meaningful connectivity set at least 20 Mbit/s per school.
#: The three countries count roughly one primary school per 1,300-1,800 inhabitants
#: (UNESCO UIS school counts over UN population, around 2020): 1 per 1,500 assumed, in
#: settlements of 300 people or more. Busy-hour sharing 4:1 between schools assumed.
SCHOOLS = Institution("schools", 1500.0, 300.0, 20.0, 4.0)
#: First-level health centres (CSCom in Mali, CSI in Niger, CSPS in Burkina Faso) serve
#: catchments of roughly 10,000-15,000 people (national health maps): 1 per 10,000
#: assumed in settlements of 1,000 or more; 10 Mbit/s (records and video consultation),
#: shared 2:1 (assumption).
HEALTH_CENTRES = Institution("health_centres", 10000.0, 1000.0, 10.0, 2.0)
#: Local administration: 703 communes in Mali, 266 in Niger and 351 in Burkina Faso for
#: about 70 million people, i.e. one commune seat per ~50,000 inhabitants, in settlements
#: of 2,000 or more; 10 Mbit/s shared 2:1 (assumption).
ADMINISTRATION = Institution("administration", 50000.0, 2000.0, 10.0, 2.0)


@dataclass(frozen=True)
class DemandParameters:
    """Busy-hour forward demand of a location: households subscribing plus institutions.

    ``household_size`` persons; ``take_up`` share of households subscribing;
    ``subscriber_rate_mbps`` the peak rate sold to a household (also the target speed of
    "people served"), shared ``contention`` ways in the busy hour.
    """

    # Demographic and Health Surveys of the three countries (Mali 2018, Niger 2012,
    # Burkina Faso 2021) find about 5 to 6.5 persons per household: 6.0 assumed.
    household_size: float = 6.0
    # ITU Facts and Figures 2023: about a third of Africa's population uses the Internet,
    # far fewer at home in rural areas. A satellite service reaching 10 % of households is
    # a planning assumption (vary 5-30 % in a trade).
    take_up: float = 0.10
    # 10 Mbit/s: a common entry-level satellite broadband plan and about the speed of
    # the ITU/OSET 2030 meaningful-connectivity targets for individuals.
    subscriber_rate_mbps: float = 10.0
    # Consumer satellite broadband is sold at contention ratios of about 20:1 to 50:1
    # (business 5:1-10:1): 20:1 assumed, i.e. 0.5 Mbit/s per subscriber in the busy hour.
    contention: float = 20.0
    # Schools, health centres and administration: see SCHOOLS, HEALTH_CENTRES, ADMINISTRATION.
    institutions: tuple[Institution, ...] = (SCHOOLS, HEALTH_CENTRES, ADMINISTRATION)

    def __post_init__(self):
        check_ranges(self, "demand", {
            "household_size": (1.0, 50.0), "take_up": (0.0, 1.0),
            "subscriber_rate_mbps": (0.001, 1e5), "contention": (1.0, 1e4)})  # fmt: skip
        names = [i.name for i in self.institutions]
        if len(set(names)) != len(names):
            raise ParameterError("demand.institutions", f"names must be unique: {names}")

    @property
    def busy_hour_mbps_per_subscriber(self) -> float:
        """Busy-hour rate drawn per subscriber (Mbit/s): the rate sold over the contention."""
        return self.subscriber_rate_mbps / self.contention


@dataclass(frozen=True)
class HtsParameters:
    """A Ka-band high-throughput GEO satellite with spot beams over an area.

    Beams: ``layout`` ``"hex"`` (a hexagonal lattice over the area, neighbours crossing
    at ``edge_db`` below peak) or ``"demand"`` (the ``n_beams`` lattice cells carrying
    most demand); ``colours`` frequency/polarisation colours (``user_band_mhz`` in each of
    ``polarisations`` split ``colours / polarisations`` ways). Beam pattern: ITU-R S.672-4
    with near side lobes ``near_sidelobe_db``, from a ``antenna_diameter_m`` reflector.
    Terminal numbers as in the Ka forward-link scenario :data:`KA`.
    """

    name: str = "Ka HTS"  # a label
    slot_lon_deg: float = 0.0  # DESIGNED_SLOTS_DEG: the middle of the region's arc
    area: str = "AES"  # the three countries (sahelsat.places.area_geometry)
    downlink_ghz: float = KA.downlink_ghz
    uplink_ghz: float = KA.uplink_ghz
    # 19.7-20.2 GHz is allocated to FSS space-to-Earth without terrestrial sharing (RR
    # Article 5): 500 MHz, in two circular polarisations.
    user_band_mhz: float = 500.0
    polarisations: int = 2  # left- and right-hand circular, both used in the band
    # Four-colour reuse (two sub-bands x two polarisations) is the usual HTS plan
    # (e.g. Eutelsat KA-SAT), giving 250 MHz per beam.
    colours: int = 4
    # Ka HTS multi-beam reflectors are about 2-3 m across: 2.6 m gives 0.40 deg beams
    # (70 lambda / D) and 52.8 dBi at 19.95 GHz with 65 % efficiency.
    antenna_diameter_m: float = 2.6
    antenna_efficiency: float = 0.65  # offset reflectors: 0.6-0.7 (see KU.efficiency)
    # ITU-R S.672-4 Annex 1 offers near side-lobe levels of -20, -25 and -30 dB: -25 dB,
    # a reflector fed for low side lobes.
    near_sidelobe_db: float = -25.0
    # Ka spot beams of HTS systems peak at about 58-62 dBW (see KA): 61 dBW per beam.
    beam_eirp_dbw: float = 61.0
    # Neighbouring beams cross about 3-4 dB below peak (the hexagon's triple point at
    # about -4 dB, see KA): 4 dB.
    edge_db: float = 4.0
    layout: str = "hex"  # a regular lattice, as HTS beam plans are drawn (e.g. KA-SAT)
    n_beams: int = 0  # "demand" layout: number of beams (0: as many as the hex lattice)
    # DVB-S2X roll-off 0.05 on wide HTS carriers (EN 302 307-2 §5.2.1).
    roll_off: float = 0.05
    terminal_diameter_m: float = 0.75  # a common Ka consumer dish (0.66-0.75 m)
    terminal_efficiency: float = KA.efficiency
    antenna_noise_k: float = KA.antenna_noise_k
    lnb_nf_db: float = KA.lnb_nf_db
    pointing_error_deg: float = KA.pointing_error_deg
    implementation_margin_db: float = KA.implementation_margin_db
    tilt_deg: float = KA.tilt_deg
    availability_percent: float = KA.availability_percent
    # Capacity is counted in median conditions (50 % of the year); ACM then rides fades.
    capacity_percent: float = 50.0
    # Below about 10 deg Ka links suffer scintillation and ground clutter (ITU-R P.618 is
    # validated down to 5 deg); the region sees a GEO slot near 0 deg E above 40 deg.
    min_elevation_deg: float = 10.0
    # Ka payload receive noise temperature: about 500-800 K (the Earth at 290 K in view
    # plus a 2-3 dB front end): 600 K, for the beams' G/T on the return uplink.
    satellite_noise_k: float = 600.0
    # Payload loss between amplifier and feed (output multiplexer, waveguide): ~1-2 dB.
    output_loss_db: float = 1.5

    def __post_init__(self):
        check_ranges(self, "hts", {
            "slot_lon_deg": (-180.0, 360.0), "downlink_ghz": (1.0, 55.0),
            "uplink_ghz": (1.0, 55.0), "user_band_mhz": (1.0, 1e5), "polarisations": (1, 2),
            "colours": (1, 64), "antenna_diameter_m": (0.1, 30.0),
            "antenna_efficiency": (0.05, 1.0),
            "beam_eirp_dbw": (0.0, 100.0), "edge_db": (0.5, 12.0), "n_beams": (0, 5000),
            "roll_off": (0.0, 1.0), "terminal_diameter_m": (0.1, 20.0),
            "terminal_efficiency": (0.05, 1.0), "antenna_noise_k": (0.0, 2000.0),
            "lnb_nf_db": (0.0, 20.0), "pointing_error_deg": (0.0, 5.0),
            "implementation_margin_db": (0.0, 10.0), "tilt_deg": (0.0, 90.0),
            "availability_percent": (95.0, 99.999), "capacity_percent": (1.0, 50.0),
            "min_elevation_deg": (0.0, 89.0), "satellite_noise_k": (10.0, 1e5),
            "output_loss_db": (0.0, 20.0)})  # fmt: skip
        if float(self.near_sidelobe_db) not in (-20.0, -25.0, -30.0):
            raise ParameterError("hts.near_sidelobe_db", f"{self.near_sidelobe_db!r} must be "
                                 "-20, -25 or -30 dB (ITU-R S.672-4 Annex 1)")  # fmt: skip
        if self.layout not in ("hex", "demand"):
            raise ParameterError("hts.layout", f"{self.layout!r} must be 'hex' or 'demand'")
        if int(self.colours) % int(self.polarisations):
            raise ParameterError("hts.colours", f"{self.colours} colours cannot split "
                                 f"evenly over {self.polarisations} polarisations")  # fmt: skip

    @property
    def beam_bandwidth_mhz(self) -> float:
        """Spectrum of one beam (MHz): the user band in each polarisation over the colours
        sharing that polarisation."""
        return self.user_band_mhz * self.polarisations / self.colours

    @property
    def symbol_rate_baud(self) -> float:
        """Symbol rate of a beam's single carrier filling its spectrum (baud)."""
        return self.beam_bandwidth_mhz * 1e6 / (1.0 + self.roll_off)


#: Gateway feeder bands (uplink to the satellite): name -> (centre GHz, bandwidth MHz per
#: polarisation). Ka: 27.5-29.5 GHz, the FSS Earth-to-space band HTS gateways use below
#: the user band; Q/V: 47.2-50.2 GHz plus 50.4-51.4 GHz (RR Article 5, FSS
#: Earth-to-space), 4 GHz.
FEEDER_BANDS = {"Ka": (28.5, 2000.0), "Q/V": (48.7, 4000.0)}

#: Candidate gateway towns (GeoNames names of sahelsat's town table): the three capitals
#: and the regional centres with roads and power.
GATEWAY_CANDIDATES = ("Bamako", "Niamey", "Ouagadougou", "Kati", "Koulikoro", "Ségou",
                      "Sikasso", "Kayes", "Mopti", "Bobo-Dioulasso", "Koudougou",
                      "Ouahigouya", "Dosso", "Maradi", "Zinder", "Tahoua", "Agadez")  # fmt: skip


@dataclass(frozen=True)
class GatewayParameters:
    """Gateways: feeder uplinks in ``band`` (:data:`FEEDER_BANDS`) from candidate towns,
    one carrier per user beam; ``site_diversity`` pairs each gateway with a second site."""

    # Q/V feeders free the whole Ka band for user beams, as on recent very-high-throughput
    # satellites (e.g. Eutelsat Konnect VHTS); Ka feeders are the older choice.
    band: str = "Q/V"
    candidates: tuple[str, ...] = GATEWAY_CANDIDATES  # see GATEWAY_CANDIDATES
    polarisations: int = 2  # both circular senses, as the user beams
    # A 7-9 m gateway with a few hundred watts reaches 80-85 dBW per carrier (see KA).
    carrier_eirp_dbw: float = KA.gateway_eirp_dbw
    # Uplink power control headroom of Ka and Q/V gateways: about 10-15 dB.
    upc_range_db: float = 10.0
    # Feeder receive G/T of HTS payloads (narrow feeder beams): about 15-25 dB/K.
    satellite_gt_dbk: float = 20.0
    # The feeder must stay far above the user link (about 10-20 dB Es/N0 at beam
    # centre) so it costs little end to end: 20 dB, i.e. 0.4 dB off a 14 dB user link.
    required_esn0_db: float = 20.0
    gateway_diameter_m: float = 7.0  # 7-9 m antennas (see KA)
    # Q/V rain fades exceed any power control: gateways are paired with a second site
    # (ITU-R P.618-13 §2.2.4), as Q/V ground segments are planned.
    site_diversity: bool = True
    tilt_deg: float = 45.0  # circular polarisation

    def __post_init__(self):
        if self.band not in FEEDER_BANDS:
            raise ParameterError("gateways.band", f"{self.band!r}: use one of "
                                 f"{sorted(FEEDER_BANDS)}")  # fmt: skip
        if len(self.candidates) < 1:
            raise ParameterError("gateways.candidates", "give at least one candidate town")
        check_ranges(self, "gateways", {
            "polarisations": (1, 2), "carrier_eirp_dbw": (0.0, 120.0),
            "upc_range_db": (0.0, 40.0), "satellite_gt_dbk": (-30.0, 50.0),
            "required_esn0_db": (-10.0, 40.0), "gateway_diameter_m": (0.5, 30.0),
            "tilt_deg": (0.0, 90.0)})  # fmt: skip


@dataclass(frozen=True)
class BroadcastParameters:
    """A DTH transponder from the Ku scenario :data:`KU` at the design's slot: one
    ``modcod`` carrier received with each of ``dishes_m`` at ``availability_percent``."""

    dishes_m: tuple[float, ...] = (0.6, 0.8, 0.9)  # common DTH dish sizes (issue 17)
    # DTH planning targets 99.7-99.9 % of an average year at Ku band: 99.7 %.
    availability_percent: float = 99.7
    # DVB-S2 8PSK 2/3 is a usual DTH MODCOD (about 2 bit/symbol, 59 Mbit/s in 30 Mbaud).
    modcod: str = "8PSK 2/3"
    # Statistically multiplexed service rates (Mbit/s): MPEG-4 AVC about 2-3 (SD) and
    # 6-8 (HD); HEVC saves about 40-50 % over AVC at equal quality (JCT-VC verification
    # tests); digital radio 64-128 kbit/s (HE-AAC / AAC).
    tv_rates_mbps: tuple[tuple[str, float], ...] = (
        ("MPEG-4 SD", 2.5),
        ("MPEG-4 HD", 7.0),
        ("HEVC SD", 1.4),
        ("HEVC HD", 4.0),
    )
    radio_rate_mbps: float = 0.096  # HE-AAC / AAC digital radio: 64-128 kbit/s (above)
    # Radio services carried beside the TV channels of the multiplex.
    radio_channels: int = 10
    step_deg: float = 0.25  # grid of the footprint (deg)

    def __post_init__(self):
        if not self.dishes_m or any(not 0.1 <= float(d) <= 20.0 for d in self.dishes_m):
            raise ParameterError("broadcast.dishes_m", f"{self.dishes_m!r}: 0.1-20 m each")
        for name, rate in self.tv_rates_mbps:
            if not 0.01 <= float(rate) <= 1000.0:
                raise ParameterError(f"broadcast.tv_rates_mbps.{name}", f"{rate!r} Mbit/s")
        check_ranges(self, "broadcast", {
            "availability_percent": (95.0, 99.999), "radio_rate_mbps": (0.001, 10.0),
            "radio_channels": (0, 10000), "step_deg": (0.01, 5.0)})  # fmt: skip


@dataclass(frozen=True)
class LeoConstellation:
    """A LEO constellation compared with the GEO design: its catalogue, the terminals'
    minimum elevation and its published capacity (``None`` where none is published)."""

    catalogue: str
    min_elevation_deg: float
    capacity_source: str
    system_tbps: float | None = None
    per_satellite_gbps: float | None = None


#: del Portillo, Cameron & Crawley (2019), "A technical comparison of three low earth
#: orbit satellite constellation systems to provide global broadband", Acta Astronautica
#: 159, 123-135: total sellable system throughput and average data rate per satellite,
#: estimated from the FCC filings (OneWeb 720 satellites, minimum elevation 55 deg;
#: SpaceX 4,425 satellites). Starlink's minimum elevation of 25 deg is that of the FCC's
#: April 2019 modification of SpaceX's authorisation (orbits lowered to 550 km).
LEO_CONSTELLATIONS = (
    LeoConstellation("oneweb", 55.0, "del Portillo et al. 2019 (Acta Astronautica 159)",
                     1.56, 2.17),
    LeoConstellation("starlink", 25.0, "del Portillo et al. 2019 (Acta Astronautica 159)",
                     23.70, 5.36),
)  # fmt: skip


@dataclass(frozen=True)
class DesignParameters:
    """Everything a design run needs. ``demand_from``: ``"settlements"`` (the population
    base's settlements) or ``"grid"`` (its population grid, when the package has one);
    ``grid_resolution_deg``: the grid of the NetCDF maps (and of grid demand);
    ``leo``: constellations compared (empty: none), over ``leo_hours`` from ``leo_start``
    (UTC) sampled every ``leo_step_s`` (6 h by default: Starlink's 10,000 satellites over
    40,000 settlements take about 40 s per hour of window on two cores)."""

    name: str = "Sahel Ka HTS"  # a label
    demand: DemandParameters = field(default_factory=DemandParameters)
    hts: HtsParameters = field(default_factory=HtsParameters)
    gateways: GatewayParameters = field(default_factory=GatewayParameters)
    broadcast: BroadcastParameters = field(default_factory=BroadcastParameters)
    countries: tuple[str, ...] | None = None  # None: Mali, Niger and Burkina Faso
    demand_from: str = "settlements"  # the population base's 38,000 settlements
    grid_resolution_deg: float = 0.1  # about 11 km, finer than a 0.4 deg beam (~300 km)
    leo: tuple[LeoConstellation, ...] = LEO_CONSTELLATIONS  # see LEO_CONSTELLATIONS
    leo_start: str = "2026-05-31T00:00"  # the day after the shipped element sets' epoch
    leo_hours: float = 6.0  # several orbits (about 95-110 min each)
    leo_step_s: float = 60.0  # a pass above 25-55 deg lasts minutes

    def __post_init__(self):
        if self.demand_from not in ("settlements", "grid"):
            raise ParameterError("design.demand_from", f"{self.demand_from!r} must be "
                                 "'settlements' or 'grid'")  # fmt: skip
        check_ranges(self, "design", {"grid_resolution_deg": (0.01, 2.0),
                                      "leo_hours": (0.1, 24.0 * 31),
                                      "leo_step_s": (1.0, 3600.0)})  # fmt: skip


def _items(value) -> list:
    """The items of a list value, or of a comma-separated text."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise TypeError(value)


def _number(value, kind):
    if isinstance(value, bool):  # True is not the number 1 here
        raise TypeError(value)
    number = float(value)
    if kind is int and not number.is_integer():
        raise ValueError(value)
    return kind(number) if kind is int else number


def _convert(current, value, path: str):
    """``value`` (text from the command line, or a TOML value) as the type of ``current``."""
    try:
        if isinstance(current, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(value)
            return text in ("1", "true", "yes")
        if isinstance(current, (int, float)):
            return _number(value, type(current))
        if isinstance(current, str):
            if not isinstance(value, str):
                raise TypeError(value)
            return value
        if isinstance(current, tuple) or current is None:
            items = _items(value)
            if current and all(isinstance(c, (int, float)) for c in current):
                return tuple(_number(v, float) for v in items)
            if current is None or all(isinstance(c, str) for c in current):
                if not all(isinstance(v, str) for v in items):
                    raise TypeError(value)
                return tuple(items)
            raise ParameterError(path, "a structured parameter: set it from Python")
    except ParameterError:
        raise
    except (TypeError, ValueError):
        kind = "list" if isinstance(current, tuple) else type(current).__name__
        raise ParameterError(path, f"{value!r} is not a {kind}") from None
    return value


def update(obj, changes: dict, prefix: str = ""):
    """A copy of the parameters ``obj`` (a :class:`DesignParameters` or one of its
    sections) with the fields at dotted paths set, e.g. ``{"hts.colours": 7,
    "hts.polarisations": 1}``; values are converted to the fields' types and each section
    is rebuilt once, so fields checked together change together. A bad path or value
    raises :class:`ParameterError` naming it."""
    names = {f.name for f in dataclasses.fields(obj)}
    direct, nested = {}, {}
    for path, value in changes.items():
        head, _, rest = path.partition(".")
        full = f"{prefix}{path}"
        if head not in names:
            raise ParameterError(full, f"no such parameter; known: {sorted(names)}")
        if rest:
            if not dataclasses.is_dataclass(getattr(obj, head)):
                raise ParameterError(full, f"{prefix}{head} has no fields")
            nested.setdefault(head, {})[rest] = value
        elif dataclasses.is_dataclass(getattr(obj, head)):
            raise ParameterError(full, f"a section: set its fields ({full}.<field>)")
        else:
            direct[head] = _convert(getattr(obj, head), value, full)
    for head, sub in nested.items():
        direct[head] = update(getattr(obj, head), sub, f"{prefix}{head}.")
    return dataclasses.replace(obj, **direct)


def replace(params: DesignParameters, path: str, value) -> DesignParameters:
    """``params`` with the one field at dotted ``path`` set (see :func:`update`)."""
    return update(params, {path: value})


#: Units of design parameters from the ending of their names.
_UNITS = (("_dbw", "dBW"), ("_dbk", "dB/K"), ("_db", "dB"), ("_dbi", "dBi"), ("_ghz", "GHz"),
          ("_mhz", "MHz"), ("_mbps", "Mbit/s"), ("_percent", "%"), ("_deg", "degree"),
          ("_km", "km"), ("_m", "m"), ("_k", "K"), ("_s", "s"), ("_hours", "h"))  # fmt: skip


def _unit(name: str) -> str:
    return next((u for end, u in _UNITS if name.endswith(end)), "")


def _comments(source: str, start: str) -> dict[str, tuple[str, str]]:
    """The comments written above (and beside) each field or keyword of the block of
    ``source`` that begins with the line ``start``: {name: (text, the field's line)}."""
    import re

    lines = source.splitlines()
    first = next(k for k, line in enumerate(lines) if line.startswith(start))
    out, pending = {}, []
    for line in lines[first + 1 :]:
        if line and not line[0].isspace():
            break
        text = line.strip()
        if text.startswith("#"):
            pending.append(text.lstrip("#: ").strip())
            continue
        m = re.match(r"^(\w+)\s*[:=]", text)
        if m and line.startswith("    ") and not line.startswith("     "):
            beside = text.split("  # ", 1)[1] if "  # " in text else ""
            beside = "" if beside.startswith("fmt:") else beside
            out[m.group(1)] = (" ".join([*pending, beside]).strip(), text)
        if not text.startswith("#"):
            pending = []
    return out


def parameter_table(params: DesignParameters | None = None) -> list[dict]:
    """Every scalar parameter of a design, one row each: ``key`` (dotted path, as set in a
    scenario's ``[design]`` table or ``sahelsat design --set``), ``value`` (in
    ``params``), ``default``, ``unit`` and ``source`` (the note beside the default in
    this module; for a default taken from the Ka scenario :data:`KA`, that note)."""
    import inspect
    import re
    import sys

    source = inspect.getsource(sys.modules[__name__])
    ka = _comments(source, "KA = Scenario(")
    params = DesignParameters() if params is None else params
    default = DesignParameters()
    rows = []

    def walk(obj, base, prefix):
        notes = _comments(source, f"class {type(obj).__name__}")
        for f in dataclasses.fields(obj):
            value, key = getattr(obj, f.name), f"{prefix}{f.name}"
            if dataclasses.is_dataclass(value):
                walk(value, getattr(base, f.name), f"{key}.")
                continue
            if f.name in ("leo", "institutions", "tv_rates_mbps"):
                value = str(value) if f.name != "leo" else ",".join(c.catalogue for c in value)
            note, line = notes.get(f.name, ("", ""))
            m = re.search(r"= KA\.(\w+)", line)
            if m and not note:
                note = f"as the Ka scenario (KA.{m.group(1)}): {ka.get(m.group(1), ('',))[0]}"
            rows.append({"key": key, "value": value, "default": getattr(base, f.name),
                         "unit": _unit(f.name), "source": note})  # fmt: skip

    walk(params, default, "")
    for row in rows:
        if row["key"] in ("leo", "demand.institutions", "broadcast.tv_rates_mbps"):
            row["default"] = row["value"] if params is default else row["default"]
    return rows
