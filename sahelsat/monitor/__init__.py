"""Disaster monitoring: flood and drought maps from satellite images, and their impact.

Modules: ``io`` (reading rasters), ``sar`` and ``optical`` (water detection), ``wofs``
(the WOfS Landsat classifier), ``flood`` (water now minus normal water), ``vegetation``
(NDVI/EVI anomalies), ``impact`` (areas, settlements, alerts), ``products`` (outputs).
"""

from sahelsat.monitor.flood import flood_extent, sar_water, water_frequency
from sahelsat.monitor.io import ImageError, read_optical, read_sar
from sahelsat.monitor.sar import detect_water

__all__ = [
    "ImageError",
    "detect_water",
    "flood_extent",
    "read_optical",
    "read_sar",
    "sar_water",
    "water_frequency",
]
