"""Compiled SDP4: SGP4 for deep-space orbits (period >= 225 min: GEO, Molniya, GNSS).

The equations are those of Spacetrack Report #3 as revised by Vallado, Crawford,
Hujsak and Kelso (AIAA 2006-6753), WGS-72 constants, "improved" operation mode: the
secular drag terms of SGP4 (deep-space orbits are always "simple", no d2..d4 terms),
the lunar-solar secular rates and the 12-hour / 24-hour resonance integration
(:func:`resonance`), the lunar-solar periodics (:func:`lunar_solar_periodics`), then
Kepler's equation and the short-period terms.

As in :mod:`sahelsat.sgp4_kernel`, the per-satellite coefficients come from the
reference initialisation of the ``sgp4`` package (deep-space common terms and
resonance coefficients included, :func:`deep_space_coefficients`); this module only
evaluates the propagation. Every result is that of the resonance integrator started
from the epoch (the reference's stateless use, as in ``Satrec.sgp4_array``): its
720-minute Euler-Maclaurin steps land on the same instants whether a run starts from
the epoch or continues from an earlier instant, so carrying the state is exact.

Grid and ``tsince`` kernels run a satellite's instants in runs of :data:`BLOCK`, in
stages like the near-Earth kernel's (see :mod:`sahelsat.vmath`):

0. :func:`_integrate`, in order: the resonance integrator (its rates, six sines and
   cosines, computed again only when it steps, every 720 minutes), the integrated
   mean longitude and mean motion at each instant. Each run starts from the state at
   the grid's first instant (:func:`_start_state`), not from the epoch;
1. :func:`_mean_elements`, vectorised: secular terms, lunar-solar periodics (both the
   direct and Lyddane's form computed, the one for the inclination kept), up to
   Kepler's equation, without branches;
2. Newton's method for Kepler's equation, the proven number of steps
   (:func:`sahelsat.sgp4_kernel.kepler_steps`);
3. :func:`_finish`, vectorised: short-period terms and the TEME state, then the frame.

Angles are reduced with :func:`sahelsat.vmath.fmod_2pi`, exactly the C library's
``fmod`` (the dividend's sign kept), as the reference C++ code reduces them: the
quotient matters in Lyddane's form, where the reduced node is multiplied by cos i.
Sines, cosines and arctangents are :mod:`sahelsat.vmath`'s (within 5e-16 and 1e-15 of
the C library's): at the radii met (up to 160,000 km on Vallado's eccentric cases)
that is micrometres against the 1 mm required (tests/test_sdp4.py: measured 0.04 mm
on the shipped deep-space sets over a week and 0.19 mm at 148,000 km on Vallado's
set, of the order of the last bit of a position there). The pair kernel
(:func:`propagate_pairs`) runs the scalar :func:`sdp4` with the C library's functions.

Kernels are parallel over runs of instants of one satellite, so a few satellites over
a long grid use all cores. On a 2-core AVX2 machine (574 shipped GEO x 1440 one-minute
steps, TEME positions and velocities, ``benchmarks/bench_orbit.py``) this gives about
10 M satellite-epochs/s per core and 19 M on both, against 1.7 and 3.4 M for the
previous scalar coding of the same equations.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from sahelsat import sgp4_kernel, vmath
from sahelsat.core import geometry
from sahelsat.core.constants import RAD2DEG, WGS72_J2, WGS72_J3, WGS72_RE_KM, WGS72_XKE
from sahelsat.frames import teme_to_itrf as rotate
from sahelsat.sgp4_kernel import kepler_step, kepler_steps

RE_KM = WGS72_RE_KM
XKE = WGS72_XKE
J2 = WGS72_J2
J3OJ2 = WGS72_J3 / WGS72_J2
VKMPERSEC = RE_KM * XKE / 60.0
TWO_PI = 2.0 * math.pi
_NS_PER_MIN = 6.0e10

# Column of each coefficient in the (satellite, N_DEEP) table: the names of the
# reference Satrec's attributes, in this order.
_NAMES = [
    # mean elements and secular (drag) rates
    "no_unkozai", "ecco", "inclo", "nodeo", "argpo", "mo", "mdot", "argpdot", "nodedot",
    "nodecf", "cc1", "cc4", "t2cof", "bstar",
    # lunar-solar secular rates and resonance terms
    "irez", "gsto", "xfact", "xlamo", "dedt", "didt", "dmdt", "dnodt", "domdt",
    "del1", "del2", "del3", "d2201", "d2211", "d3210", "d3222", "d4410", "d4422",
    "d5220", "d5232", "d5421", "d5433",
    # lunar-solar periodics (solar: se*, si*, sl*, sgh*, sh*; lunar: ee2, e3, xi*, ...)
    "zmos", "se2", "se3", "si2", "si3", "sl2", "sl3", "sl4", "sgh2", "sgh3", "sgh4",
    "sh2", "sh3", "zmol", "ee2", "e3", "xi2", "xi3", "xl2", "xl3", "xl4", "xgh2", "xgh3",
    "xgh4", "xh2", "xh3", "peo", "pinco", "plo", "pgho", "pho",
]  # fmt: skip
N_DEEP = len(_NAMES)
(NO, ECCO, INCLO, NODEO, ARGPO, MO, MDOT, ARGPDOT, NODEDOT, NODECF, CC1, CC4, T2COF, BSTAR,
 IREZ, GSTO, XFACT, XLAMO, DEDT, DIDT, DMDT, DNODT, DOMDT, DEL1, DEL2, DEL3, D2201, D2211,
 D3210, D3222, D4410, D4422, D5220, D5232, D5421, D5433,
 ZMOS, SE2, SE3, SI2, SI3, SL2, SL3, SL4, SGH2, SGH3, SGH4, SH2, SH3,
 ZMOL, EE2, E3, XI2, XI3, XL2, XL3, XL4, XGH2, XGH3, XGH4, XH2, XH3,
 PEO, PINCO, PLO, PGHO, PHO) = range(N_DEEP)  # fmt: skip


def deep_space_coefficients(satrecs) -> np.ndarray:
    """Coefficient table (satellite, N_DEEP) from pure-Python ``sgp4`` Satrecs initialised
    in deep-space mode (``method == "d"``); rows of others (or of None) are zero."""
    table = np.zeros((len(satrecs), N_DEEP))
    for i, s in enumerate(satrecs):
        if s is not None and getattr(s, "method", "n") == "d":
            table[i] = [float(getattr(s, name)) for name in _NAMES]
    return table


# ---------------------------------------------------------------- the deep-space terms

# Resonance constants: phase of each term (rad) and the integrator's step (minutes).
_FASX2, _FASX4, _FASX6 = 0.13130908, 2.8843198, 0.37448087
_G22, _G32, _G44, _G52, _G54 = 5.7686396, 0.95240898, 1.8014998, 1.0508330, 4.4108898
_RPTIM = 4.37526908801129966e-3  # Earth rotation, rad/min
_STEP = 720.0


@njit(inline="always", error_model="numpy")
def _resonance_rates(c, xli, xni, atime):
    """Rates of the resonant mean longitude and mean motion at integrator time ``atime``:
    d(lambda)/dt, dn/dt and d2n/dt2 (rad/min, rad/min^2, rad/min^3)."""
    if c[IREZ] == 1.0:  # 24-hour (geosynchronous) resonance
        a1, a2, a3 = xli - _FASX2, 2.0 * (xli - _FASX4), 3.0 * (xli - _FASX6)
        ndot = c[DEL1] * math.sin(a1) + c[DEL2] * math.sin(a2) + c[DEL3] * math.sin(a3)
        nddot = c[DEL1] * math.cos(a1) + 2.0 * c[DEL2] * math.cos(a2) + 3.0 * c[DEL3] * math.cos(a3)
    else:  # 12-hour resonance (irez 2)
        w = c[ARGPO] + c[ARGPDOT] * atime
        w2, l2 = w + w, xli + xli
        b1, b2 = w2 + xli - _G22, xli - _G22
        b3, b4 = w + xli - _G32, -w + xli - _G32
        b5, b6 = w2 + l2 - _G44, l2 - _G44
        b7, b8 = w + xli - _G52, -w + xli - _G52
        b9, b10 = w + l2 - _G54, -w + l2 - _G54
        ndot = (
            c[D2201] * math.sin(b1) + c[D2211] * math.sin(b2)
            + c[D3210] * math.sin(b3) + c[D3222] * math.sin(b4)
            + c[D4410] * math.sin(b5) + c[D4422] * math.sin(b6)
            + c[D5220] * math.sin(b7) + c[D5232] * math.sin(b8)
            + c[D5421] * math.sin(b9) + c[D5433] * math.sin(b10)
        )  # fmt: skip
        nddot = (
            c[D2201] * math.cos(b1) + c[D2211] * math.cos(b2)
            + c[D3210] * math.cos(b3) + c[D3222] * math.cos(b4)
            + c[D5220] * math.cos(b7) + c[D5232] * math.cos(b8)
            + 2.0 * (c[D4410] * math.cos(b5) + c[D4422] * math.cos(b6)
                     + c[D5421] * math.cos(b9) + c[D5433] * math.cos(b10))
        )  # fmt: skip
    ldot = xni + c[XFACT]
    return ldot, ndot, nddot * ldot


@njit(inline="always", error_model="numpy")
def resonance(c, t, em, argpm, inclm, mm, nodem, atime, xli, xni):
    """Lunar-solar secular rates and, for resonant orbits, the integrated mean motion and
    mean anomaly at ``t`` minutes since epoch. Returns em, argpm, inclm, mm, nodem, the
    mean motion nm (rad/min) and the integrator's state.

    The state (``atime`` minutes, mean longitude ``xli``, mean motion ``xni``) is where
    the 720-minute steps stopped at an earlier call; ``atime = 0`` starts from the epoch.
    It is used only when ``t`` lies beyond it on the same side of the epoch, so the steps
    taken are those from the epoch, and the result does not depend on it."""
    em += c[DEDT] * t
    inclm += c[DIDT] * t
    argpm += c[DOMDT] * t
    nodem += c[DNODT] * t
    mm += c[DMDT] * t
    nm = c[NO]
    if c[IREZ] == 0.0:
        return em, argpm, inclm, mm, nodem, nm, atime, xli, xni
    # Euler-Maclaurin steps of 720 min from the epoch towards t, then a Taylor step.
    step = _STEP if t > 0.0 else -_STEP
    if atime == 0.0 or t * atime <= 0.0 or abs(t) < abs(atime):
        atime, xli, xni = 0.0, c[XLAMO], c[NO]
    ldot, ndot, nddot = _resonance_rates(c, xli, xni, atime)
    while abs(t - atime) >= _STEP:
        xli += ldot * step + ndot * 259200.0  # 259200 = 720^2 / 2
        xni += ndot * step + nddot * 259200.0
        atime += step
        ldot, ndot, nddot = _resonance_rates(c, xli, xni, atime)
    ft = t - atime
    nm = xni + ndot * ft + nddot * ft * ft * 0.5
    xl = xli + ldot * ft + ndot * ft * ft * 0.5
    theta = np.fmod(c[GSTO] + t * _RPTIM, TWO_PI)
    if c[IREZ] == 1.0:
        mm = xl - nodem - argpm + theta
    else:
        mm = xl - 2.0 * nodem + 2.0 * theta
    nm = c[NO] + (nm - c[NO])  # as the reference rounds
    return em, argpm, inclm, mm, nodem, nm, atime, xli, xni


@njit(inline="always", error_model="numpy")
def _third_body(z0, n_rate, e_orbit, t):
    """Phase functions of the Sun (or Moon) at ``t``: sin zf, f2, f3."""
    zm = z0 + n_rate * t
    zf = zm + 2.0 * e_orbit * math.sin(zm)
    sinzf = math.sin(zf)
    return sinzf, 0.5 * sinzf * sinzf - 0.25, -0.5 * sinzf * math.cos(zf)


@njit(inline="always", error_model="numpy")
def lunar_solar_periodics(c, t, ep, inclp, nodep, argpp, mp):
    """Lunar-solar periodic terms added to the mean elements at ``t`` minutes (their
    value at epoch removed), with Lyddane's form below 0.2 rad inclination."""
    s, f2, f3 = _third_body(c[ZMOS], 1.19459e-5, 0.01675, t)  # the Sun
    pe = c[SE2] * f2 + c[SE3] * f3
    pinc = c[SI2] * f2 + c[SI3] * f3
    pl = c[SL2] * f2 + c[SL3] * f3 + c[SL4] * s
    pgh = c[SGH2] * f2 + c[SGH3] * f3 + c[SGH4] * s
    ph = c[SH2] * f2 + c[SH3] * f3
    s, f2, f3 = _third_body(c[ZMOL], 1.5835218e-4, 0.05490, t)  # the Moon
    pe += c[EE2] * f2 + c[E3] * f3 - c[PEO]
    pinc += c[XI2] * f2 + c[XI3] * f3 - c[PINCO]
    pl += c[XL2] * f2 + c[XL3] * f3 + c[XL4] * s - c[PLO]
    pgh += c[XGH2] * f2 + c[XGH3] * f3 + c[XGH4] * s - c[PGHO]
    ph += c[XH2] * f2 + c[XH3] * f3 - c[PHO]
    inclp += pinc
    ep += pe
    sinip, cosip = math.sin(inclp), math.cos(inclp)
    if inclp >= 0.2:
        ph /= sinip
        argpp += pgh - cosip * ph
        nodep += ph
        mp += pl
        return ep, inclp, nodep, argpp, mp
    # Lyddane: perturb the node through its direction cosines (alpha, beta).
    sinop, cosop = math.sin(nodep), math.cos(nodep)
    alfdp = sinip * sinop + (ph * cosop + pinc * cosip * sinop)
    betdp = sinip * cosop + (-ph * sinop + pinc * cosip * cosop)
    nodep = np.fmod(nodep, TWO_PI)
    xls = mp + argpp + pl + pgh + (cosip - pinc * sinip) * nodep
    xnoh = nodep
    nodep = math.atan2(alfdp, betdp)
    if abs(xnoh - nodep) > math.pi:
        nodep += TWO_PI if nodep < xnoh else -TWO_PI
    mp += pl
    argpp = xls - mp - cosip * nodep
    return ep, inclp, nodep, argpp, mp


# ---------------------------------------------------------------- one point


@njit(inline="always", error_model="numpy")
def sdp4(c, t, atime, xli, xni):
    """TEME position (km), velocity (km/s) of coefficient row ``c`` at ``t`` minutes since
    epoch, the SGP4 error code as a float (0 fine, 1 mean eccentricity, 2 mean motion,
    3 perturbed eccentricity, 4 semi-latus rectum, 6 decayed; NaN states on error), then
    the resonance integrator's state (see :func:`resonance`: pass 0.0, 0.0, 0.0 for none,
    or what the previous call returned)."""
    t2 = t * t
    mm = c[MO] + c[MDOT] * t
    argpm = c[ARGPO] + c[ARGPDOT] * t
    nodem = c[NODEO] + c[NODEDOT] * t + c[NODECF] * t2
    em, argpm, inclm, mm, nodem, nm, atime, xli, xni = resonance(
        c, t, c[ECCO], argpm, c[INCLO], mm, nodem, atime, xli, xni
    )
    x, y, z, vx, vy, vz, code = _osculating(c, t, em, argpm, inclm, mm, nodem, nm)
    return x, y, z, vx, vy, vz, code, atime, xli, xni


@njit(inline="always", error_model="numpy")
def _osculating(c, t, em, argpm, inclm, mm, nodem, nm):
    """The rest of :func:`sdp4` from the secular elements at ``t``: drag, lunar-solar
    periodics, Kepler's equation, short-period terms; state and error code."""
    nan = np.nan
    t2 = t * t
    tempa = 1.0 - c[CC1] * t
    if nm <= 0.0:
        return nan, nan, nan, nan, nan, nan, 2.0
    am = (XKE / nm) ** (2.0 / 3.0) * tempa * tempa
    nm = XKE / am**1.5
    em -= c[BSTAR] * c[CC4] * t
    if em >= 1.0 or em < -0.001:
        return nan, nan, nan, nan, nan, nan, 1.0
    low = 1.0 * (em < 1.0e-6)
    em = low * 1.0e-6 + (1.0 - low) * em
    mm += c[NO] * (c[T2COF] * t2)
    xlm = mm + argpm + nodem
    nodem = np.fmod(nodem, TWO_PI)
    argpm = np.fmod(argpm, TWO_PI)
    xlm = np.fmod(xlm, TWO_PI)
    mm = np.fmod(xlm - argpm - nodem, TWO_PI)
    ep, xincp, nodep, argpp, mp = lunar_solar_periodics(c, t, em, inclm, nodem, argpm, mm)
    if xincp < 0.0:
        xincp, nodep, argpp = -xincp, nodep + math.pi, argpp - math.pi
    if ep < 0.0 or ep > 1.0:
        return nan, nan, nan, nan, nan, nan, 3.0
    sinip, cosip = math.sin(xincp), math.cos(xincp)
    aycof = -0.5 * J3OJ2 * sinip
    den = 1.0 + cosip if abs(cosip + 1.0) > 1.5e-12 else 1.5e-12
    xlcof = -0.25 * J3OJ2 * sinip * (3.0 + 5.0 * cosip) / den
    # Kepler's equation in Lyddane's variables, Newton's method as the reference runs it.
    axnl = ep * math.cos(argpp)
    temp = 1.0 / (am * (1.0 - ep * ep))
    aynl = ep * math.sin(argpp) + temp * aycof
    xl = mp + argpp + nodep + temp * xlcof * axnl
    u = np.fmod(xl - nodep, TWO_PI)
    eo1 = u
    sineo1, coseo1 = math.sin(eo1), math.cos(eo1)
    for _ in range(10):
        sineo1, coseo1 = math.sin(eo1), math.cos(eo1)
        step = (u - aynl * coseo1 + axnl * sineo1 - eo1) / (1.0 - coseo1 * axnl - sineo1 * aynl)
        step = min(max(step, -0.95), 0.95)
        eo1 += step
        if abs(step) < 1.0e-12:
            break
    # Short-period terms at the osculating inclination.
    ecose = axnl * coseo1 + aynl * sineo1
    esine = axnl * sineo1 - aynl * coseo1
    el2 = axnl * axnl + aynl * aynl
    pl = am * (1.0 - el2)
    if pl < 0.0:
        return nan, nan, nan, nan, nan, nan, 4.0
    rl = am * (1.0 - ecose)
    rdotl = math.sqrt(am) * esine / rl
    rvdotl = math.sqrt(pl) / rl
    betal = math.sqrt(1.0 - el2)
    temp = esine / (1.0 + betal)
    sinu = am / rl * (sineo1 - aynl - axnl * temp)
    cosu = am / rl * (coseo1 - axnl + aynl * temp)
    su = math.atan2(sinu, cosu)
    sin2u = (cosu + cosu) * sinu
    cos2u = 1.0 - 2.0 * sinu * sinu
    temp = 1.0 / pl
    temp1 = 0.5 * J2 * temp
    temp2 = temp1 * temp
    cosisq = cosip * cosip
    con41, x1mth2, x7thm1 = 3.0 * cosisq - 1.0, 1.0 - cosisq, 7.0 * cosisq - 1.0
    mrt = rl * (1.0 - 1.5 * temp2 * betal * con41) + 0.5 * temp1 * x1mth2 * cos2u
    su -= 0.25 * temp2 * x7thm1 * sin2u
    xnode = nodep + 1.5 * temp2 * cosip * sin2u
    xinc = xincp + 1.5 * temp2 * cosip * sinip * cos2u
    mvt = rdotl - nm * temp1 * x1mth2 * sin2u / XKE
    rvdot = rvdotl + nm * temp1 * (x1mth2 * cos2u + 1.5 * con41) / XKE
    if mrt < 1.0:
        return nan, nan, nan, nan, nan, nan, 6.0
    sinsu, cossu = math.sin(su), math.cos(su)
    snod, cnod = math.sin(xnode), math.cos(xnode)
    sini, cosi = math.sin(xinc), math.cos(xinc)
    xmx, xmy = -snod * cosi, cnod * cosi
    ux, uy, uz = xmx * sinsu + cnod * cossu, xmy * sinsu + snod * cossu, sini * sinsu
    vx, vy, vz = xmx * cossu - cnod * sinsu, xmy * cossu - snod * sinsu, sini * cossu
    mr = mrt * RE_KM
    return (
        mr * ux,
        mr * uy,
        mr * uz,
        (mvt * ux + rvdot * vx) * VKMPERSEC,
        (mvt * uy + rvdot * vy) * VKMPERSEC,
        (mvt * uz + rvdot * vz) * VKMPERSEC,
        0.0,
    )


# ---------------------------------------------------------------- runs of instants (SIMD)

#: Semi-latus rectum (Earth radii) below which an instant is recomputed by the scalar
#: kernel (:func:`_redo_low_perigee`): under 1 the perigee, pl / (1 + e), is below the
#: Earth's surface, so no orbit in service comes near it.
SCALAR_BELOW_PL = 1.0
BLOCK = 256  # instants of a satellite evaluated in order by one thread, the state carried
RUN = BLOCK


@njit(inline="always", error_model="numpy")
def _integrate(c, ts, n, atime, xli, xni, xl_out, nm_out):
    """Stage 0, in order (the resonance integrator carries its state): for each of the
    ``n`` instants ``ts`` (minutes), the resonant mean longitude and mean motion (the
    Taylor step from the last 720-minute step, :func:`resonance`) into ``xl_out``,
    ``nm_out``. Returns the integrator's state after the last instant."""
    if c[IREZ] == 0.0:
        return atime, xli, xni
    # The rates are those of the state: computed again only when the state changes. At
    # atime = 0 the state is the epoch's, where the reference restarts.
    if atime == 0.0:
        xli, xni = c[XLAMO], c[NO]
    ldot, ndot, nddot = _resonance_rates(c, xli, xni, atime)
    for j in range(n):
        t = ts[j]
        step = _STEP if t > 0.0 else -_STEP
        if atime != 0.0 and (t * atime <= 0.0 or abs(t) < abs(atime)):
            atime, xli, xni = 0.0, c[XLAMO], c[NO]
            ldot, ndot, nddot = _resonance_rates(c, xli, xni, atime)
        while abs(t - atime) >= _STEP:
            xli += ldot * step + ndot * 259200.0  # 259200 = 720^2 / 2
            xni += ndot * step + nddot * 259200.0
            atime += step
            ldot, ndot, nddot = _resonance_rates(c, xli, xni, atime)
        ft = t - atime
        nm_out[j] = xni + ndot * ft + nddot * ft * ft * 0.5
        xl_out[j] = xli + ldot * ft + ndot * ft * ft * 0.5
    return atime, xli, xni


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def _third_body_v(z0, n_rate, e_orbit, t):
    """:func:`_third_body` with the vectorisable sine and cosine."""
    zm = z0 + n_rate * t
    s, _ = vmath.sincos(zm)
    sinzf, coszf = vmath.sincos(zm + 2.0 * e_orbit * s)
    return sinzf, 0.5 * sinzf * sinzf - 0.25, -0.5 * sinzf * coszf


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def _mean_elements(c, t, am0, xl_res, nm_res):
    """Stage 1 at ``t`` minutes (the resonance's ``xl_res``, ``nm_res`` from
    :func:`_integrate`; ``am0`` = (XKE / no)^(2/3)): secular, drag and lunar-solar terms,
    as :func:`sdp4` up to Kepler's equation, without branches. Returns Kepler's
    right-hand side ``u``, Lyddane's ``axnl``, ``aynl``, the semi-major axis ``am``
    (Earth radii), the node, sin and cos of the inclination, and the error code so far
    (0, 2 mean motion, 1 mean eccentricity, 3 perturbed eccentricity)."""
    t2 = t * t
    irez = c[IREZ]
    em = c[ECCO] + c[DEDT] * t
    inclm = c[INCLO] + c[DIDT] * t
    argpm = c[ARGPO] + c[ARGPDOT] * t + c[DOMDT] * t
    nodem = c[NODEO] + c[NODEDOT] * t + c[NODECF] * t2 + c[DNODT] * t
    mm = c[MO] + c[MDOT] * t + c[DMDT] * t
    theta = vmath.fmod_2pi(c[GSTO] + t * _RPTIM)
    mm_1 = xl_res - nodem - argpm + theta
    mm_2 = xl_res - 2.0 * nodem + 2.0 * theta
    # Choices are made arithmetically, w a + (1 - w) b with w 0 or 1 (exact for finite
    # a, b), so that the loop has no branches.
    w1, w2 = 1.0 * (irez == 1.0), 1.0 * (irez == 2.0)
    mm = (1.0 - w1 - w2) * mm + w1 * mm_1 + w2 * mm_2
    nm = c[NO] + (w1 + w2) * (nm_res - c[NO])  # as the reference rounds
    # am = (XKE / nm)^(2/3) tempa^2 = am0 y^2 tempa^2 with y = (nm / no)^(-1/3) (nm / no
    # within 1 % of 1: see _cube_root_ok), by four Newton steps from 1 without division:
    # y <- y (4 - r y^3) / 3, whose relative error e becomes -2 e^2 - 4/3 e^3 - e^4 / 3.
    r = nm * (1.0 / c[NO])
    y = (4.0 - r) * (1.0 / 3.0)
    y = y * (4.0 - r * (y * y * y)) * (1.0 / 3.0)
    y = y * (4.0 - r * (y * y * y)) * (1.0 / 3.0)
    y = y * (4.0 - r * (y * y * y)) * (1.0 / 3.0)
    tempa = 1.0 - c[CC1] * t
    am = am0 * (y * y) * tempa * tempa
    em -= c[BSTAR] * c[CC4] * t
    bad_n = 1.0 * (nm <= 0.0)
    code = 2.0 * bad_n + (1.0 - bad_n) * (1.0 * (em >= 1.0) + 1.0 * (em < -0.001))
    low = 1.0 * (em < 1.0e-6)
    em = low * 1.0e-6 + (1.0 - low) * em
    mm += c[NO] * (c[T2COF] * t2)
    xlm = mm + argpm + nodem
    nodem = vmath.fmod_2pi(nodem)
    argpm = vmath.fmod_2pi(argpm)
    xlm = vmath.fmod_2pi(xlm)
    mm = vmath.fmod_2pi(xlm - argpm - nodem)
    # Lunar-solar periodics (lunar_solar_periodics, both branches computed, one kept).
    s, f2, f3 = _third_body_v(c[ZMOS], 1.19459e-5, 0.01675, t)  # the Sun
    pe = c[SE2] * f2 + c[SE3] * f3
    pinc = c[SI2] * f2 + c[SI3] * f3
    pl = c[SL2] * f2 + c[SL3] * f3 + c[SL4] * s
    pgh = c[SGH2] * f2 + c[SGH3] * f3 + c[SGH4] * s
    ph = c[SH2] * f2 + c[SH3] * f3
    s, f2, f3 = _third_body_v(c[ZMOL], 1.5835218e-4, 0.05490, t)  # the Moon
    pe += c[EE2] * f2 + c[E3] * f3 - c[PEO]
    pinc += c[XI2] * f2 + c[XI3] * f3 - c[PINCO]
    pl += c[XL2] * f2 + c[XL3] * f3 + c[XL4] * s - c[PLO]
    pgh += c[XGH2] * f2 + c[XGH3] * f3 + c[XGH4] * s - c[PGHO]
    ph += c[XH2] * f2 + c[XH3] * f3 - c[PHO]
    inclp = inclm + pinc
    ep = em + pe
    sinip, cosip = vmath.sincos(inclp)
    mp = mm + pl
    # inclination >= 0.2 rad: direct
    direct = 1.0 * (inclp >= 0.2)
    ph_d = ph / (direct * sinip + (1.0 - direct))  # (no division by 0 in the other branch)
    argp_d = argpm + pgh - cosip * ph_d
    node_d = nodem + ph_d
    # below: Lyddane, through the node's direction cosines. nodem is already reduced, so
    # the reference's second fmod leaves it unchanged.
    sinop, cosop = vmath.sincos(nodem)
    alfdp = sinip * sinop + (ph * cosop + pinc * cosip * sinop)
    betdp = sinip * cosop + (-ph * sinop + pinc * cosip * cosop)
    xls = mm + argpm + pl + pgh + (cosip - pinc * sinip) * nodem
    node_l = vmath.atan2(alfdp, betdp)
    wrap = 1.0 * (abs(nodem - node_l) > math.pi)
    node_l += wrap * (1.0 - 2.0 * (node_l >= nodem)) * TWO_PI
    argp_l = xls - mp - cosip * node_l
    argpp = direct * argp_d + (1.0 - direct) * argp_l
    nodep = direct * node_d + (1.0 - direct) * node_l
    # A negative inclination is flipped: sin changes sign, cos does not.
    flip = 1.0 * (inclp < 0.0)
    nodep = nodep + flip * math.pi
    argpp = argpp - flip * math.pi
    sinip = sinip * (1.0 - 2.0 * flip)
    code += 3.0 * (code == 0.0) * (1.0 * (ep < 0.0) + 1.0 * (ep > 1.0))
    aycof = -0.5 * J3OJ2 * sinip
    big = 1.0 * (abs(cosip + 1.0) > 1.5e-12)
    den = big * (1.0 + cosip) + (1.0 - big) * 1.5e-12
    xlcof = -0.25 * J3OJ2 * sinip * (3.0 + 5.0 * cosip) / den
    sin_w, cos_w = vmath.sincos(argpp)
    axnl = ep * cos_w
    temp = 1.0 / (am * (1.0 - ep * ep))
    aynl = ep * sin_w + temp * aycof
    xl = mp + argpp + nodep + temp * xlcof * axnl
    u = vmath.fmod_2pi(xl - nodep)
    return u, axnl, aynl, am, nodep, sinip, cosip, code


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def _finish(eo1, axnl, aynl, am, nodep, sinip, cosip, code):
    """Stage 3: short-period terms at the osculating inclination and the TEME state
    from Kepler's solution ``eo1`` (:func:`sahelsat.sgp4_kernel.osculating_state`); the
    error code adds 4 (semi-latus rectum) and 6 (decayed); the semi-latus rectum (Earth
    radii) comes last."""
    cosisq = cosip * cosip
    x, y, z, vx, vy, vz, pl, mrt = sgp4_kernel.osculating_state(
        eo1, axnl, aynl, am, nodep, sinip, cosip,
        3.0 * cosisq - 1.0, 1.0 - cosisq, 7.0 * cosisq - 1.0,
    )  # fmt: skip
    code += 4.0 * (code == 0.0) * (pl < 0.0)
    code += 6.0 * (code == 0.0) * (mrt < 1.0)
    return x, y, z, vx, vy, vz, code, pl


@njit(inline="always", error_model="numpy")
def _cube_root_ok(c, nm, n):
    """True when every resonant mean motion ``nm[:n]`` is within 1 % of ``no``: the four
    Newton steps of :func:`_mean_elements` then give (nm / no)^(-1/3) to rounding (relative
    errors at most 3.4e-3, 2.3e-5, 1.1e-9, 2.4e-18, then 1.2e-35)."""
    if c[IREZ] == 0.0:
        return True
    worst = 0.0
    for j in range(n):
        worst = max(worst, abs(c[NO] / nm[j] - 1.0))
    return worst <= 0.01


@njit(inline="always")
def _scratch():
    """Ten separate (BLOCK,) arrays: separate allocations, which the compiler can
    tell apart (rows of one 2-D array defeat the vectoriser's alias analysis)."""
    e = np.empty
    return (e(BLOCK), e(BLOCK), e(BLOCK), e(BLOCK), e(BLOCK), e(BLOCK), e(BLOCK), e(BLOCK),
            e(BLOCK), e(BLOCK))  # fmt: skip


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def _run_stages(c, ts, n, state, s):
    """Stages 0 to 2 for one satellite at ``ts[:n]`` minutes: Kepler's solution and the
    rest of the state left in the scratch arrays ``s`` (:func:`_scratch`) for :func:`_finish`
    (eo1, axnl, aynl, am, node, sin i, cos i, code). ``state`` (3,) is the resonance
    integrator's state, updated."""
    xl_res, nm_res = s[8], s[9]
    state[0], state[1], state[2] = _integrate(
        c, ts, n, state[0], state[1], state[2], xl_res, nm_res
    )
    if c[IREZ] == 0.0:
        for j in range(n):
            xl_res[j], nm_res[j] = 0.0, c[NO]
    eo, ax, ay, am, nd, si, ci, cd = s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
    u = xl_res  # reused: xl_res[j] is read before u[j] is written
    if _cube_root_ok(c, nm_res, n):
        am0 = (XKE / c[NO]) ** (2.0 / 3.0)
        for j in range(n):
            u_, ax[j], ay[j], am[j], nd[j], si[j], ci[j], cd[j] = _mean_elements(
                c, ts[j], am0, xl_res[j], nm_res[j]
            )
            u[j] = u_
            eo[j] = u_
    else:  # far from the epoch's mean motion: the power per instant, as the reference
        for j in range(n):
            am1 = (XKE / nm_res[j]) ** (2.0 / 3.0)
            u_, ax[j], ay[j], am[j], nd[j], si[j], ci[j], cd[j] = _mean_elements(
                c, ts[j], am1, xl_res[j], c[NO]
            )
            cd[j] = 2.0 if nm_res[j] <= 0.0 else cd[j]  # the first error tested
            u[j] = u_
            eo[j] = u_
    emax = 0.0
    for j in range(n):
        emax = max(emax, ax[j] * ax[j] + ay[j] * ay[j])
    for _ in range(kepler_steps(math.sqrt(emax))):
        for j in range(n):
            eo[j] = kepler_step(eo[j], u[j], ax[j], ay[j])


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def _finish_all(s, n):
    """Stage 3 over the run, in place: the scratch arrays ``s`` then hold position (km)
    and velocity (km/s) in TEME in s[0] ... s[5], the semi-latus rectum in s[6] and the
    error code in s[7]."""
    s0, s1, s2, s3, s4, s5, s6, s7 = s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
    for j in range(n):
        s0[j], s1[j], s2[j], s3[j], s4[j], s5[j], s7[j], s6[j] = _finish(
            s0[j], s1[j], s2[j], s3[j], s4[j], s5[j], s6[j], s7[j]
        )


@njit(inline="always", error_model="numpy")
def _redo_low_perigee(c, ts, n, s):
    """Instants of :func:`_finish_all`'s run whose semi-latus rectum is below
    :data:`SCALAR_BELOW_PL` recomputed, in place, by the scalar :func:`sdp4` (the
    reference's functions and order of operations, resonance integrated from the epoch).
    There the perigee lies under the Earth's surface and the short-period terms, which
    scale as 1 / pl^2, amplify the last bits of the vectorised functions to metres
    (Vallado's case 33333, e = 0.995, two steps before its error 4); a decaying orbit's
    last instants only, so the cost does not show."""
    for j in range(n):
        if s[6][j] < SCALAR_BELOW_PL and s[7][j] == 0.0:
            out = sdp4(c, ts[j], 0.0, 0.0, 0.0)
            for q in range(6):
                s[q][j] = out[q]
            s[7][j] = out[6]


@njit(inline="always")
def _outputs(s, j):
    """Instant ``j`` of :func:`_finish_all`'s results: TEME state and error code."""
    return s[0][j], s[1][j], s[2][j], s[3][j], s[4][j], s[5][j], s[7][j]


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def _store(ok, value):
    return value if ok else np.nan


@njit(inline="always")
def _minutes(dt_ns, off_ns, a, b, out):
    """Minutes since epoch of instants ``a:b`` of ``dt_ns`` for an epoch ``off_ns``
    (ns) before the grid's first instant, into ``out[: b - a]``."""
    for j in range(a, b):
        out[j - a] = (dt_ns[j] + off_ns) / _NS_PER_MIN


@njit(error_model="numpy")
def _start_state(c, t):
    """The resonance integrator's state at its last 720-minute step before ``t``
    minutes (from the epoch): a start for every run of a grid that begins at ``t``."""
    state = np.zeros(3)
    if c[IREZ] != 0.0:
        scratch = np.empty(1)
        ts = np.array([t])
        state[0], state[1], state[2] = _integrate(c, ts, 1, 0.0, 0.0, 0.0, scratch, scratch)
    return state


@njit(cache=True, parallel=True, fastmath=vmath.FAST, error_model="numpy")
def propagate_grid(dcoef, epoch_ns, sat_index, dt_ns, t0_ns, rot, omega, rx, ry, rz, vx, vy, vz,
                   err):  # fmt: skip
    """As :func:`sahelsat.sgp4_kernel.propagate_grid` for deep-space rows ``sat_index``
    of ``dcoef`` (satellite, N_DEEP): writes rows ``sat_index`` of ``rx`` ... ``vz``
    (satellite, time) km, km/s and ``err`` (satellite, time) int8 (NaN on error).
    Parallel over runs of :data:`RUN` instants of one satellite."""
    n_t = dt_ns.shape[0]
    n_run = (n_t + RUN - 1) // RUN
    starts = np.zeros((sat_index.shape[0], 3))
    for k in prange(sat_index.shape[0]):
        i = sat_index[k]
        starts[k] = _start_state(dcoef[i], (dt_ns[0] + float(t0_ns - epoch_ns[i])) / _NS_PER_MIN)
    for p in prange(sat_index.shape[0] * n_run):
        i = sat_index[p // n_run]
        a = (p % n_run) * RUN
        b = min(a + RUN, n_t)
        n = b - a
        c = dcoef[i]
        s, ts, state = _scratch(), np.empty(BLOCK), starts[p // n_run].copy()
        _minutes(dt_ns, float(t0_ns - epoch_ns[i]), a, b, ts)
        _run_stages(c, ts, n, state, s)
        _finish_all(s, n)
        _redo_low_perigee(c, ts, n, s)
        o0, o1, o2, o3, o4, o5, oe = (
            rx[i, a:b], ry[i, a:b], rz[i, a:b], vx[i, a:b], vy[i, a:b], vz[i, a:b], err[i, a:b]
        )  # fmt: skip
        rk = sgp4_kernel._slices(rot, a, b)
        for j in range(n):
            x, y, z, dx, dy, dz, code = _outputs(s, j)
            x, y, z, dx, dy, dz = rotate(rk, j, omega, x, y, z, dx, dy, dz)
            ok = code == 0.0
            o0[j], o1[j], o2[j] = _store(ok, x), _store(ok, y), _store(ok, z)
            o3[j], o4[j], o5[j] = _store(ok, dx), _store(ok, dy), _store(ok, dz)
            oe[j] = np.int8(code)


@njit(cache=True, parallel=True, fastmath=vmath.FAST, error_model="numpy")
def geodetic_grid(dcoef, epoch_ns, sat_index, dt_ns, t0_ns, rot, lat, lon, alt, err):
    """As :func:`propagate_grid`, writing geodetic latitude, longitude (degrees) and height
    (km) on WGS-84, each (satellite, time)."""
    n_t = dt_ns.shape[0]
    n_run = (n_t + RUN - 1) // RUN
    starts = np.zeros((sat_index.shape[0], 3))
    for k in prange(sat_index.shape[0]):
        i = sat_index[k]
        starts[k] = _start_state(dcoef[i], (dt_ns[0] + float(t0_ns - epoch_ns[i])) / _NS_PER_MIN)
    for p in prange(sat_index.shape[0] * n_run):
        i = sat_index[p // n_run]
        a = (p % n_run) * RUN
        b = min(a + RUN, n_t)
        n = b - a
        c = dcoef[i]
        s, ts, state = _scratch(), np.empty(BLOCK), starts[p // n_run].copy()
        _minutes(dt_ns, float(t0_ns - epoch_ns[i]), a, b, ts)
        _run_stages(c, ts, n, state, s)
        _finish_all(s, n)
        _redo_low_perigee(c, ts, n, s)
        o0, o1, o2, oe = lat[i, a:b], lon[i, a:b], alt[i, a:b], err[i, a:b]
        rk = sgp4_kernel._slices(rot, a, b)
        for j in range(n):
            x, y, z, dx, dy, dz, code = _outputs(s, j)
            x, y, z, dx, dy, dz = rotate(rk, j, 0.0, x, y, z, dx, dy, dz)
            phi, lam, h = geometry.geodetic(x, y, z)
            ok = code == 0.0
            o0[j], o1[j], o2[j] = (
                _store(ok, phi * RAD2DEG),
                _store(ok, lam * RAD2DEG),
                _store(ok, h),
            )
            oe[j] = np.int8(code)


@njit(cache=True, parallel=True, fastmath=vmath.FAST, error_model="numpy")
def propagate_tsince(dcoef, sat_index, tsince, rx, ry, rz, vx, vy, vz, err):
    """TEME states at ``tsince`` (k, time) minutes since epoch of rows ``sat_index`` of
    ``dcoef``; outputs (k, time) per component, NaN on error."""
    n_t = tsince.shape[1]
    n_run = (n_t + RUN - 1) // RUN
    for p in prange(sat_index.shape[0] * n_run):
        k = p // n_run
        a = (p % n_run) * RUN
        b = min(a + RUN, n_t)
        n = b - a
        c = dcoef[sat_index[k]]
        s, state = _scratch(), np.zeros(3)
        ts = tsince[k, a:b]
        _run_stages(c, ts, n, state, s)
        _finish_all(s, n)
        _redo_low_perigee(c, ts, n, s)
        for j in range(n):
            x, y, z, dx, dy, dz, code = _outputs(s, j)
            ok = code == 0.0
            rx[k, a + j], ry[k, a + j], rz[k, a + j] = _store(ok, x), _store(ok, y), _store(ok, z)
            vx[k, a + j], vy[k, a + j], vz[k, a + j] = (
                _store(ok, dx),
                _store(ok, dy),
                _store(ok, dz),
            )
            err[k, a + j] = np.int8(code)


@njit(cache=True, parallel=True, error_model="numpy")
def propagate_pairs(dcoef, epoch_ns, sat_index, t_ns, rot, omega, out, err):
    """States of satellite ``sat_index[k]`` at ``t_ns[k]`` rotated by ``rot`` (six (pair,)
    arrays): ``out`` (6, pair) position (km) then velocity (km/s), ``err`` (pair,) int8.
    Each pair integrates the resonance from the epoch (scalar :func:`sdp4`)."""
    for k in prange(sat_index.shape[0]):
        i = sat_index[k]
        t = (t_ns[k] - epoch_ns[i]) / _NS_PER_MIN
        x, y, z, dx, dy, dz, code, _, _, _ = sdp4(dcoef[i], t, 0.0, 0.0, 0.0)
        x, y, z, dx, dy, dz = rotate(rot, k, omega, x, y, z, dx, dy, dz)
        out[0, k], out[1, k], out[2, k], out[3, k], out[4, k], out[5, k] = x, y, z, dx, dy, dz
        err[k] = np.int8(code)
