"""Branch-free elementary functions that the compiler can vectorise (SIMD).

numba calls the C library for ``sin``, ``cos`` and ``atan2``, and a loop that calls
them runs one element at a time. These versions use only arithmetic, ``floor`` and
``sqrt``, written without branches, so that a loop over them runs on all SIMD lanes.
They are accurate to a few units in the last place for the arguments SGP4 meets
(|x| up to about 1e5 rad): see ``tests/test_vmath.py``. :func:`fmod_2pi` is exact:
the C library's ``fmod(x, 2 pi)`` to the last bit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# pi/2 split in three parts (Cody and Waite's reduction): each product with an integer
# quotient below 2**20 is exact.
_PIO2_1 = 1.5707963267341256e00
_PIO2_2 = 6.0771005065061922e-11
_PIO2_3 = 2.0222662487959506e-21
_TWO_OVER_PI = 0.6366197723675814
# tan(k pi / 12) for k = 1, 2 and the bounds tan((2k - 1) pi / 24) between the sectors.
_TAN_PI_12 = 0.2679491924311227
_TAN_PI_6 = 0.5773502691896257
_BOUND_1 = 0.13165249758739585
_BOUND_3 = 0.41421356237309503
_BOUND_5 = 0.7673269879789604
_PI_12 = math.pi / 12.0
# 2 pi (the double) split into 33 + 17 significant bits: q * _TWO_PI_HI and q * _TWO_PI_LO
# are exact for integers q below 2**20.
_TWO_PI = 2.0 * math.pi
_TWO_PI_HI = 6.2831853069365025  # 0x1.921fb544p+2
_TWO_PI_LO = 2.430837753308879e-10  # 0x1.0b46p-32, _TWO_PI - _TWO_PI_HI exactly
_INV_TWO_PI = 1.0 / _TWO_PI
FAST = {"contract", "arcp", "nsz"}  # no reassociation: it would undo the exact reduction


@njit(inline="always", fastmath=FAST)
def sincos(x):
    """sin(x), cos(x): quadrant reduction, then Taylor series on |r| <= pi/4.

    The series stop at r^15 (sine) and r^16 (cosine): the first terms left out are
    below (pi/4)^17 / 17! = 4.6e-17 and (pi/4)^18 / 18! = 2.0e-18, under half a unit
    in the last place of the results."""
    q = np.floor(x * _TWO_OVER_PI + 0.5)
    r = ((x - q * _PIO2_1) - q * _PIO2_2) - q * _PIO2_3
    r2 = r * r
    s = r + r * r2 * (-1.0 / 6 + r2 * (1.0 / 120 + r2 * (-1.0 / 5040 + r2 * (
        1.0 / 362880 + r2 * (-1.0 / 39916800 + r2 * (1.0 / 6227020800 + r2 * (
            -1.0 / 1307674368000)))))))  # fmt: skip
    c = 1.0 + r2 * (-0.5 + r2 * (1.0 / 24 + r2 * (-1.0 / 720 + r2 * (1.0 / 40320 + r2 * (
        -1.0 / 3628800 + r2 * (1.0 / 479001600 + r2 * (-1.0 / 87178291200 + r2 * (
            1.0 / 20922789888000))))))))  # fmt: skip
    quadrant = q - 4.0 * np.floor(q * 0.25)  # 0, 1, 2 or 3
    half = np.floor(quadrant * 0.5)  # 0, 0, 1, 1
    odd = quadrant - 2.0 * half  # 0, 1, 0, 1
    sin_abs = s + odd * (c - s)
    cos_abs = c + odd * (s - c)
    # The sine is negative in quadrants 2 and 3, the cosine in 1 and 2 (odd xor half).
    return sin_abs * (1.0 - 2.0 * half), cos_abs * (1.0 - 2.0 * (odd + half - 2.0 * odd * half))


@njit(inline="always", fastmath=FAST)
def sincos_small(d):
    """sin(d), cos(d) for small angles, |d| <= 0.05: Taylor series to d^7 and d^8,
    whose first terms left out are below 0.05^9 / 9! = 5.4e-18 and 0.05^10 / 10! =
    2.7e-20 (relative errors under 1e-16). Four multiply-adds each, no reduction."""
    d2 = d * d
    s = d + d * d2 * (-1.0 / 6 + d2 * (1.0 / 120 + d2 * (-1.0 / 5040)))
    c = 1.0 + d2 * (-0.5 + d2 * (1.0 / 24 + d2 * (-1.0 / 720 + d2 * (1.0 / 40320))))
    return s, c


@njit(inline="always", fastmath=FAST)
def atan2(y, x):
    """atan2(y, x) in (-pi, pi]: octant folding, reduction by k pi/12, Taylor series."""
    ax = abs(x)
    ay = abs(y)
    swap = 1.0 * (ay > ax)
    big = ax + swap * (ay - ax)
    small = ay + swap * (ax - ay)
    z = small / (big + 1e-300)
    k1 = 1.0 * (z > _BOUND_1)
    k2 = 1.0 * (z > _BOUND_3)
    k3 = 1.0 * (z > _BOUND_5)
    c = k1 * _TAN_PI_12 + k2 * (_TAN_PI_6 - _TAN_PI_12) + k3 * (1.0 - _TAN_PI_6)
    w = (z - c) / (1.0 + z * c)
    w2 = w * w
    series = w * (1.0 + w2 * (-1.0 / 3 + w2 * (1.0 / 5 + w2 * (-1.0 / 7 + w2 * (1.0 / 9 + w2 * (
        -1.0 / 11 + w2 * (1.0 / 13 + w2 * (-1.0 / 15 + w2 * (1.0 / 17)))))))))  # fmt: skip
    a = (k1 + k2 + k3) * _PI_12 + series
    a = a + swap * (0.5 * math.pi - 2.0 * a)
    negx = 1.0 * (x < 0.0)
    a = a + negx * (math.pi - 2.0 * a)
    return a * (1.0 - 2.0 * (y < 0.0))


@njit(inline="always", fastmath=FAST)
def fmod_2pi(x):
    """``fmod(x, 2 pi)`` (2 pi the double; the sign of ``x`` kept), exactly, for
    |x| < 2**20 pi.

    The remainder x - q 2 pi is a double, and with q below 2**20 both products
    q * hi and q * lo are exact and so is x - q * hi (a multiple of the unit in the
    last place of x, no larger than x), so the last subtraction rounds an exact double:
    no error. The quotient from the rounded division may be one off; it is corrected
    from the remainder's range and the remainder recomputed."""
    q = np.trunc(x * _INV_TWO_PI)
    r = (x - q * _TWO_PI_HI) - q * _TWO_PI_LO
    neg = 1.0 * (x < 0.0)
    q = q + (1.0 * (r >= _TWO_PI) - 1.0 * (r <= -_TWO_PI) + neg * (r > 0.0)
             - (1.0 - neg) * (r < 0.0))  # fmt: skip
    return (x - q * _TWO_PI_HI) - q * _TWO_PI_LO
