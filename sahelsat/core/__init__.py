"""The core layer: physical constants with their sources, and the geometry primitives
(topocentric angles, geodetic coordinates, sidereal time) written once and inlined into
the compiled kernels."""
