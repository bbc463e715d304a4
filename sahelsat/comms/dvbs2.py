"""DVB-S2 and DVB-S2X MODCODs: required Es/N0 and spectral efficiency; best MODCOD choice.

Required Es/N0 are the ideal values for quasi-error-free operation on an AWGN channel:
ETSI EN 302 307-1 V1.4.1 Table 13 (DVB-S2, normal 64,800-bit FECFRAMEs) and ETSI
EN 302 307-2 V1.1.1 Table 20a (DVB-S2X normal FECFRAMEs), Table 20b (DVB-S2X short
16,200-bit FECFRAMEs) and Table 20c (the very-low-SNR set). Each row names its table in
the ``source`` column.

Spectral efficiency (bit/symbol) follows from the frame structure: (K_bch - 80 BBHEADER
bits) / (90 (S + 1) symbols) with S = ceil(n_ldpc / (90 log2 M)) slots and no pilots
(EN 302 307-1 §5.5; 128APSK frames are padded to 103 slots, EN 302 307-2 §5.5.2.2). The
very-low-SNR (VL-SNR) MODCODs always travel in their own frames with a 900-symbol VL-SNR
header and pilots: 33,282 symbols (set 1) or 16,686 symbols (set 2) including the
PLHEADER (EN 302 307-2 §5.5.2.4), which carry K_bch information bits.

"-L" MODCODs are the variants for linear channels (e.g. a multi-carrier or
pre-distorted transponder); ``linear=False`` leaves them out for a saturated, non-linear
channel.
"""

from __future__ import annotations

from functools import cache
from math import ceil

import numpy as np
import pandas as pd

_BITS = {"BPSK": 1, "BPSK-S": 1, "QPSK": 2, "8PSK": 3, "8APSK": 3, "16APSK": 4, "32APSK": 5,
         "64APSK": 6, "128APSK": 7, "256APSK": 8}  # fmt: skip
_N_LDPC = {"normal": 64800, "short": 16200}
#: BCH parity bits for t = 12 errors: 12 x 16 (normal frames), 12 x 14 (short frames).
_BCH_PARITY = {"normal": 192, "short": 168}
_S2_TABLE = "EN 302 307-1 Table 13"
_S2X_NORMAL = "EN 302 307-2 Table 20a"
_S2X_SHORT = "EN 302 307-2 Table 20b"
_S2X_VLSNR = "EN 302 307-2 Table 20c"

# EN 302 307-1 Table 5a: uncoded BCH block length K_bch of normal FECFRAMEs, per code rate.
_KBCH_S2 = {"1/4": 16008, "1/3": 21408, "2/5": 25728, "1/2": 32208, "3/5": 38688,
            "2/3": 43040, "3/4": 48408, "4/5": 51648, "5/6": 53840, "8/9": 57472,
            "9/10": 58192}  # fmt: skip

# EN 302 307-1 Table 13: ideal Es/N0 (dB) of the DVB-S2 MODCODs, normal frames.
_S2 = [
    ("QPSK", "1/4", -2.35), ("QPSK", "1/3", -1.24), ("QPSK", "2/5", -0.30),
    ("QPSK", "1/2", 1.00), ("QPSK", "3/5", 2.23), ("QPSK", "2/3", 3.10),
    ("QPSK", "3/4", 4.03), ("QPSK", "4/5", 4.68), ("QPSK", "5/6", 5.18),
    ("QPSK", "8/9", 6.20), ("QPSK", "9/10", 6.42),
    ("8PSK", "3/5", 5.50), ("8PSK", "2/3", 6.62), ("8PSK", "3/4", 7.91),
    ("8PSK", "5/6", 9.35), ("8PSK", "8/9", 10.69), ("8PSK", "9/10", 10.98),
    ("16APSK", "2/3", 8.97), ("16APSK", "3/4", 10.21), ("16APSK", "4/5", 11.03),
    ("16APSK", "5/6", 11.61), ("16APSK", "8/9", 12.89), ("16APSK", "9/10", 13.13),
    ("32APSK", "3/4", 12.73), ("32APSK", "4/5", 13.64), ("32APSK", "5/6", 14.28),
    ("32APSK", "8/9", 15.69), ("32APSK", "9/10", 16.05),
]  # fmt: skip

# EN 302 307-2 Table 20a: ideal Es/N0 (dB) of the DVB-S2X normal-frame MODCODs added to
# S2. Their K_bch are rate * 64800 - 192 (BCH t = 12), which reproduces Table 20a's
# efficiencies (tested).
_S2X = [
    ("QPSK", "13/45", -2.03), ("QPSK", "9/20", 0.22), ("QPSK", "11/20", 1.45),
    ("8APSK", "5/9-L", 4.73), ("8APSK", "26/45-L", 5.13),
    ("8PSK", "23/36", 6.12), ("8PSK", "25/36", 7.02), ("8PSK", "13/18", 7.49),
    ("16APSK", "1/2-L", 5.97), ("16APSK", "8/15-L", 6.55), ("16APSK", "5/9-L", 6.84),
    ("16APSK", "26/45", 7.51), ("16APSK", "3/5", 7.80), ("16APSK", "3/5-L", 7.41),
    ("16APSK", "28/45", 8.10), ("16APSK", "23/36", 8.38), ("16APSK", "2/3-L", 8.43),
    ("16APSK", "25/36", 9.27), ("16APSK", "13/18", 9.71), ("16APSK", "7/9", 10.65),
    ("16APSK", "77/90", 11.99),
    ("32APSK", "2/3-L", 11.10), ("32APSK", "32/45", 11.75), ("32APSK", "11/15", 12.17),
    ("32APSK", "7/9", 13.05),
    ("64APSK", "32/45-L", 13.98), ("64APSK", "11/15", 14.81), ("64APSK", "7/9", 15.47),
    ("64APSK", "4/5", 15.87), ("64APSK", "5/6", 16.55),
    ("128APSK", "3/4", 17.73), ("128APSK", "7/9", 18.53),
    ("256APSK", "29/45-L", 16.98), ("256APSK", "2/3-L", 17.24), ("256APSK", "31/45-L", 18.10),
    ("256APSK", "32/45", 18.59), ("256APSK", "11/15-L", 18.84), ("256APSK", "3/4", 19.57),
]  # fmt: skip

# EN 302 307-2 Table 20b: ideal Es/N0 (dB) of the DVB-S2X short-frame MODCODs
# (K_bch = rate * 16200 - 168).
_S2X_SHORT_ROWS = [
    ("QPSK", "11/45", -2.50), ("QPSK", "4/15", -2.24), ("QPSK", "14/45", -1.46),
    ("QPSK", "7/15", 0.60), ("QPSK", "8/15", 1.45), ("QPSK", "32/45", 3.66),
    ("8PSK", "7/15", 3.83), ("8PSK", "8/15", 4.71), ("8PSK", "26/45", 5.52),
    ("8PSK", "32/45", 7.54),
    ("16APSK", "7/15", 5.99), ("16APSK", "8/15", 6.93), ("16APSK", "26/45", 7.66),
    ("16APSK", "3/5", 8.10), ("16APSK", "32/45", 9.81),
    ("32APSK", "2/3", 11.41), ("32APSK", "32/45", 12.18),
]  # fmt: skip

# EN 302 307-2 Table 20c: the VL-SNR MODCODs: (modulation, rate, FECFRAME, ideal Es/N0 dB,
# K_bch information bits after shortening, VL-SNR set). "BPSK" is pi/2-BPSK, "BPSK-S" the
# same with spreading factor 2.
_VLSNR = [
    ("QPSK", "2/9", "normal", -2.85, 14208, 1),
    ("BPSK", "1/5", "medium", -6.85, 5660, 1),
    ("BPSK", "11/45", "medium", -5.50, 7740, 1),
    ("BPSK", "1/3", "medium", -4.00, 10620, 1),
    ("BPSK-S", "1/5", "short", -9.90, 2512, 1),
    ("BPSK-S", "11/45", "short", -8.30, 3792, 1),
    ("BPSK", "1/5", "short", -6.10, 3072, 2),
    ("BPSK", "4/15", "short", -4.90, 4152, 2),
    ("BPSK", "1/3", "short", -3.72, 5232, 2),
]  # fmt: skip
#: Symbols of a VL-SNR physical-layer frame, PLHEADER and pilots included, per set.
VLSNR_FRAME_SYMBOLS = {1: 33282, 2: 16686}

COLUMNS = ["name", "standard", "modulation", "rate", "esn0_db", "efficiency", "frame",
           "linear_only", "vl_snr", "source"]  # fmt: skip


def _rate(text: str) -> float:
    num, den = text.split("-")[0].split("/")
    return int(num) / int(den)


def _efficiency(modulation: str, kbch: int, frame: str) -> float:
    slots = ceil(_N_LDPC[frame] / (90 * _BITS[modulation]))
    return (kbch - 80) / (90.0 * (slots + 1))


@cache
def _table(standard: str, frame: str, vl_snr: bool, linear: bool) -> pd.DataFrame:
    rows = []  # name, standard, modulation, rate, esn0, efficiency, frame, vl_snr, source
    if frame == "normal":
        for m, r, e in _S2:
            rows.append((m, r, e, "DVB-S2", _efficiency(m, _KBCH_S2[r], "normal"), "normal",
                         False, _S2_TABLE))  # fmt: skip
        if standard == "DVB-S2X":
            for m, r, e in _S2X:
                kbch = round(_rate(r) * 64800) - _BCH_PARITY["normal"]
                rows.append((m, r, e, "DVB-S2X", _efficiency(m, kbch, "normal"), "normal",
                             False, _S2X_NORMAL))  # fmt: skip
    elif standard == "DVB-S2X":
        for m, r, e in _S2X_SHORT_ROWS:
            kbch = round(_rate(r) * 16200) - _BCH_PARITY["short"]
            rows.append((m, r, e, "DVB-S2X", _efficiency(m, kbch, "short"), "short", False,
                         _S2X_SHORT))  # fmt: skip
    if standard == "DVB-S2X" and vl_snr:
        for m, r, fr, e, kbch, vset in _VLSNR:
            eff = (kbch - 80) / VLSNR_FRAME_SYMBOLS[vset]
            rows.append((m, r, e, "DVB-S2X", eff, fr, True, _S2X_VLSNR))
    df = pd.DataFrame(rows, columns=["modulation", "rate", "esn0_db", "standard",
                                     "efficiency", "frame", "vl_snr", "source"])  # fmt: skip
    df["linear_only"] = df["rate"].str.endswith("-L")
    if not linear:
        df = df[~df["linear_only"]]
    suffix = np.where(df["frame"] == frame, "", " (" + df["frame"] + ")")
    df["name"] = df["modulation"] + " " + df["rate"] + suffix
    df = df.sort_values(["esn0_db", "efficiency"]).reset_index(drop=True)
    return df[COLUMNS]


def modcod_table(
    standard: str = "DVB-S2X", frame: str = "normal", vl_snr: bool = True, linear: bool = True
) -> pd.DataFrame:
    """MODCODs of ``"DVB-S2"`` or ``"DVB-S2X"`` (S2 plus the S2X additions), sorted by
    required Es/N0.

    ``frame``: ``"normal"`` (64,800-bit FECFRAMEs, what ACM carriers use) or ``"short"``
    (16,200 bits; DVB-S2X's Table 20b MODCODs, as EN 302 307-1 tabulates no short-frame
    performance). ``vl_snr``: add the very-low-SNR set (DVB-S2X only; names of its
    medium- and short-frame rows carry the frame, e.g. ``"BPSK 1/5 (medium)"``).
    ``linear``: keep the "-L" MODCODs made for linear channels.

    Columns: ``name, standard, modulation, rate, esn0_db`` (ideal, dB), ``efficiency``
    (bit/symbol, no pilots except in VL-SNR frames), ``frame``, ``linear_only``, ``vl_snr``,
    ``source`` (the standard's table).
    """
    if standard not in ("DVB-S2", "DVB-S2X"):
        raise ValueError(f"standard must be 'DVB-S2' or 'DVB-S2X', got {standard!r}")
    if frame not in _N_LDPC:
        raise ValueError(f"frame must be 'normal' or 'short', got {frame!r}")
    if standard == "DVB-S2" and frame == "short":
        raise ValueError("EN 302 307-1 tabulates no short-frame Es/N0; use standard='DVB-S2X'")
    return _table(standard, frame, bool(vl_snr), bool(linear)).copy()


def frontier(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The MODCODs worth using under ACM: those no other MODCOD beats with a higher
    efficiency at an equal or lower Es/N0. Sorted by Es/N0; efficiency strictly rises."""
    t = modcod_table() if table is None else table
    t = t.sort_values(["esn0_db", "efficiency"], ascending=[True, False], kind="stable")
    keep, best = [], -np.inf
    for i, eff in enumerate(t["efficiency"].to_numpy()):
        if eff > best:
            keep.append(i)
            best = eff
    return t.iloc[keep].reset_index(drop=True)


def best_modcod(esn0_db, margin_db=0.5, table: pd.DataFrame | None = None):
    """Most efficient MODCOD whose ideal Es/N0 plus ``margin_db`` (implementation margin)
    fits in the available ``esn0_db`` (any shape).

    Returns (index into ``table``, -1 where none closes; efficiency bit/symbol, 0 there).
    """
    table = _table("DVB-S2X", "normal", True, True) if table is None else table
    need = table["esn0_db"].to_numpy() + np.asarray(margin_db, dtype=float)[..., None]
    eff = table["efficiency"].to_numpy()
    ok = need <= np.asarray(esn0_db, dtype=float)[..., None]
    scored = np.where(ok, eff, -1.0)
    idx = np.argmax(scored, axis=-1)
    closes = ok.any(axis=-1)
    return np.where(closes, idx, -1), np.where(closes, eff[idx], 0.0)


def acm_efficiency(esn0_db, margin_db=0.5, table: pd.DataFrame | None = None) -> np.ndarray:
    """Spectral efficiency (bit/symbol) adaptive coding and modulation reaches at
    ``esn0_db`` (any shape): the best MODCOD of the :func:`frontier` whose ideal Es/N0 plus
    ``margin_db`` fits; 0 where none closes. Same result as :func:`best_modcod`, by a
    binary search, for large arrays."""
    f = frontier(table)
    need = f["esn0_db"].to_numpy() + float(margin_db)
    eff = np.concatenate([[0.0], f["efficiency"].to_numpy()])
    return eff[np.searchsorted(need, np.asarray(esn0_db, dtype=float), side="right")]


def required_esn0_db(efficiency, margin_db=0.5, table: pd.DataFrame | None = None):
    """Lowest Es/N0 (dB, margin included) of a MODCOD giving at least ``efficiency``
    bit/symbol; ``inf`` where no MODCOD is that efficient."""
    table = _table("DVB-S2X", "normal", True, True) if table is None else table
    need = table["esn0_db"].to_numpy() + margin_db
    eff = table["efficiency"].to_numpy()
    e = np.asarray(efficiency, dtype=float)[..., None]
    return np.where(eff >= e, need, np.inf).min(axis=-1)
