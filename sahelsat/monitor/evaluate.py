"""Accuracy of water masks against labels: IoU, omission and commission, per chip and pooled.

Masks are uint8 (1 water, 0 dry, 255 nodata); labels int (1 water, 0 dry, -1 nodata,
as in Sen1Floods11). Only pixels valid in both are scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Counts:
    """Confusion counts of one or more scored chips (pixels)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn
        )

    @property
    def iou(self) -> float:
        """TP / (TP + FP + FN); NaN when there is neither water nor a false alarm."""
        union = self.tp + self.fp + self.fn
        return self.tp / union if union else float("nan")

    @property
    def omission(self) -> float:
        """Share of labelled water missed: FN / (TP + FN)."""
        water = self.tp + self.fn
        return self.fn / water if water else float("nan")

    @property
    def commission(self) -> float:
        """Share of mapped water that is not water: FP / (TP + FP)."""
        mapped = self.tp + self.fp
        return self.fp / mapped if mapped else float("nan")


def confusion(mask: np.ndarray, label: np.ndarray) -> Counts:
    """Counts of a uint8 mask against an int label of the same shape."""
    m, lab = np.asarray(mask), np.asarray(label)
    if m.shape != lab.shape:
        raise ValueError(f"mask {m.shape} and label {lab.shape} differ in shape")
    scored = (lab >= 0) & (m != 255)
    p, w = (m == 1) & scored, (lab == 1) & scored
    tp = int((p & w).sum())
    fp = int((p & ~w).sum())
    fn = int((~p & w).sum())
    return Counts(tp, fp, fn, int(scored.sum()) - tp - fp - fn)


def pooled(counts) -> Counts:
    """Sum of several chips' counts (pooled IoU = IoU of the sum)."""
    total = Counts()
    for c in counts:
        total = total + c
    return total
