"""DVB-S2 and DVB-S2X MODCODs: required Es/N0 and spectral efficiency; best MODCOD choice.

Required Es/N0 are the ideal values for quasi-error-free operation (PER 1e-7) on an AWGN
channel with normal 64,800-bit FECFRAMEs: ETSI EN 302 307-1 V1.4.1 Table 13 (DVB-S2) and
ETSI EN 302 307-2 V1.1.1 Table 20a (DVB-S2X additions). Spectral efficiency (bit/symbol)
follows from the frame structure: (K_bch - 80 BBHEADER bits) / (90 (S + 1) symbols) with
S = 64800 / (90 log2 M) slots and no pilots (EN 302 307-1 §5.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_BITS = {"QPSK": 2, "8PSK": 3, "8APSK": 3, "16APSK": 4, "32APSK": 5, "64APSK": 6, "256APSK": 8}

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

# EN 302 307-2 Table 20a: ideal Es/N0 (dB) of DVB-S2X normal-frame MODCODs added to S2
# ("-L": the variant for linear channels). Their K_bch are taken as rate * 64800 - 192
# (BCH t = 12 parity), which reproduces the efficiencies of Table 20a (tested).
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
    ("256APSK", "29/45-L", 16.98), ("256APSK", "2/3-L", 17.24), ("256APSK", "31/45-L", 18.10),
    ("256APSK", "32/45", 18.59), ("256APSK", "11/15-L", 18.84), ("256APSK", "3/4", 19.57),
]  # fmt: skip


def _rate(text: str) -> float:
    num, den = text.split("-")[0].split("/")
    return int(num) / int(den)


def _efficiency(modulation: str, rate: str, standard: str) -> float:
    bits = _BITS[modulation]
    kbch = _KBCH_S2[rate] if standard == "DVB-S2" else round(_rate(rate) * 64800) - 192
    slots = 64800 // (90 * bits)
    return (kbch - 80) / (90.0 * (slots + 1))


def modcod_table(standard: str = "DVB-S2X") -> pd.DataFrame:
    """MODCODs of ``"DVB-S2"`` or ``"DVB-S2X"`` (S2 plus the S2X additions), sorted by
    required Es/N0: columns ``name, standard, modulation, rate, esn0_db, efficiency``
    (bit/symbol, no pilots)."""
    if standard not in ("DVB-S2", "DVB-S2X"):
        raise ValueError(f"standard must be 'DVB-S2' or 'DVB-S2X', got {standard!r}")
    rows = [(m, r, e, "DVB-S2") for m, r, e in _S2]
    if standard == "DVB-S2X":
        rows += [(m, r, e, "DVB-S2X") for m, r, e in _S2X]
    df = pd.DataFrame(rows, columns=["modulation", "rate", "esn0_db", "standard"])
    triples = zip(df.modulation, df.rate, df.standard, strict=True)
    df["efficiency"] = [_efficiency(m, r, s) for m, r, s in triples]
    df["name"] = df.modulation + " " + df.rate
    df = df.sort_values(["esn0_db", "efficiency"]).reset_index(drop=True)
    return df[["name", "standard", "modulation", "rate", "esn0_db", "efficiency"]]


def best_modcod(esn0_db, margin_db=0.5, table: pd.DataFrame | None = None):
    """Most efficient MODCOD whose ideal Es/N0 plus ``margin_db`` (implementation margin)
    fits in the available ``esn0_db`` (any shape).

    Returns (index into ``table``, -1 where none closes; efficiency bit/symbol, 0 there).
    """
    table = modcod_table() if table is None else table
    need = table["esn0_db"].to_numpy() + np.asarray(margin_db, dtype=float)[..., None]
    eff = table["efficiency"].to_numpy()
    ok = need <= np.asarray(esn0_db, dtype=float)[..., None]
    scored = np.where(ok, eff, -1.0)
    idx = np.argmax(scored, axis=-1)
    closes = ok.any(axis=-1)
    return np.where(closes, idx, -1), np.where(closes, eff[idx], 0.0)


def required_esn0_db(efficiency, margin_db=0.5, table: pd.DataFrame | None = None):
    """Lowest Es/N0 (dB, margin included) of a MODCOD giving at least ``efficiency``
    bit/symbol; ``inf`` where no MODCOD is that efficient."""
    table = modcod_table() if table is None else table
    need = table["esn0_db"].to_numpy() + margin_db
    eff = table["efficiency"].to_numpy()
    e = np.asarray(efficiency, dtype=float)[..., None]
    return np.where(eff >= e, need, np.inf).min(axis=-1)
