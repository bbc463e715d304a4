"""Physical constants, each with its source: one definition for the whole package.

Lengths in km, times in seconds unless the name says otherwise, angles in radians.
"""

import math

# --- WGS-84 ellipsoid (NIMA TR8350.2, 3rd ed., 2000, table 3.1): geodetic coordinates,
# ground sites, look angles.
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)  # first eccentricity squared
WGS84_B_KM = WGS84_A_KM * (1.0 - WGS84_F)  # polar radius

# --- WGS-72 constants of SGP4 (Vallado, Crawford, Hujsak & Kelso, "Revisiting Spacetrack
# Report #3", AIAA 2006-6753, getgravconst("wgs72")): the element sets are fitted with
# them, so SGP4 must use them, never WGS-84's.
WGS72_RE_KM = 6378.135
WGS72_MU_KM3_S2 = 398600.8
WGS72_XKE = 60.0 / math.sqrt(WGS72_RE_KM**3 / WGS72_MU_KM3_S2)  # sqrt(mu) in Earth radii^1.5 / min
WGS72_J2 = 0.001082616
WGS72_J3 = -0.00000253881
WGS72_J4 = -0.00000165597

# --- Earth's gravity for orbit design (EGM2008 / IERS Conventions 2010, table 1.1):
# geocentric gravitational constant and the second zonal harmonic (unnormalised).
MU_KM3_S2 = 398600.4418
J2 = 1.08262668e-3
#: Mean Earth radius (IUGG, R1 = (2a + b) / 3 of WGS-84, rounded), for spherical estimates.
MEAN_EARTH_RADIUS_KM = 6371.0

# --- Earth rotation.
#: Nominal mean angular velocity of the Earth, rad/s (IERS Conventions 2010, sec. 1.2);
#: the transport term of TEME -> ITRF velocities.
EARTH_ROTATION_RAD_S = 7.292115146706979e-5
#: Mean motion of a geostationary satellite, revolutions per day (one sidereal day,
#: 86164.0905 s: IERS Conventions 2010).
SIDEREAL_REV_PER_DAY = 1.00273790935
#: Geostationary orbit radius, km: (mu / omega^2)^(1/3) with the two values above (one
#: turn per sidereal day by Kepler's third law), to 10 m.
GEO_RADIUS_KM = 42_164.17
#: Geostationary altitude above the WGS-84 equator, km (35,786.03 km).
GEO_ALTITUDE_KM = GEO_RADIUS_KM - WGS84_A_KM

# --- Time.
NS_PER_S = 1_000_000_000
NS_PER_DAY = 86_400 * NS_PER_S
#: TT - TAI, seconds (IAU 1991 Resolution A4).
TT_MINUS_TAI_S = 32.184
#: Julian date of the Unix epoch 1970-01-01T00:00 UTC.
JD_UNIX_EPOCH = 2440587.5
MJD_UNIX_EPOCH = 40587
#: J2000.0 (2000-01-01T12:00), nanoseconds since 1970 on the UTC-like axis.
J2000_NS = 946_728_000 * NS_PER_S

# --- The Sun (IAU 2012 Resolution B2; IAU 2015 Resolution B3).
AU_KM = 149_597_870.7
SUN_RADIUS_KM = 695_700.0

# --- Angles.
TWO_PI = 2.0 * math.pi
DEG = math.pi / 180.0
RAD2DEG = 180.0 / math.pi
ARCSEC = math.pi / 648000.0
