"""Fleets by name: a :class:`~sahelsat.inputs.FleetSpec` resolved into a Fleet, in one place.

The command line (``passes``, ``coverage``, ``opportunities --fleet``), the service (query
parameters and job parameters) and scenario files all name satellites the same way and
get the same satellites from :func:`resolve_fleet`: ``resource`` is the whole shipped
catalogue everywhere, ``eo`` its Earth-observation subset (Sentinel-1/2, Landsat 8/9).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sahelsat.inputs import CATALOGUE_NAMES, DesignPart, FleetSpec, InputError


def resolve_part(
    part,
    *,
    folder: str | Path = ".",
    uploads: Callable[[int], object] | None = None,
    epoch=None,
    name: str | None = None,
    first_number: int | None = None,
):
    """The Fleet of one part of a spec. ``folder``: where relative file names are found;
    ``uploads``: ``id -> Fleet`` for ``upload-<id>`` (the service's store); ``epoch``,
    ``name``, ``first_number``: for designed satellites (see :mod:`sahelsat.designs`)."""
    from sahelsat.fleet import catalogue, earth_observation_fleet, load_elements

    if part.kind == "catalogue":
        try:
            if part.name in ("eo", "earth-observation"):
                return earth_observation_fleet(part.version)
            return catalogue(part.name, part.version)
        except KeyError as exc:  # a version that is not kept (or was never made)
            raise InputError.at("fleet", str(exc).strip("'\"")) from None
    if part.kind == "upload":
        if uploads is None:
            raise InputError.at("fleet", "uploaded element sets are named only in the service")
        return uploads(part.id)
    if part.kind == "file":
        path = Path(folder) / part.path
        if not path.is_file():
            raise InputError.at(
                "fleet",
                f"{part.path!r} is neither a shipped catalogue ({', '.join(CATALOGUE_NAMES)}, "
                f"eo) nor a file; {_hint()}",
            )
        return load_elements(path, strict=False)
    return _design(part, epoch, name, first_number)


def _design(part: DesignPart, epoch, name, first_number):
    from sahelsat import designs

    extra = {"epoch": epoch}
    if name or part.name:
        extra["name"] = name or part.name
    if first_number is not None:
        extra["first_number"] = first_number
    try:
        if part.design == "geostationary":
            return designs.geostationary(part.longitudes_deg, **extra)
        if part.design == "sun-synchronous":
            return designs.sun_synchronous(
                part.altitude_km, part.ltan_hours, part.count, part.planes, **extra
            )
        return designs.walker(
            part.count, part.planes, part.phasing, part.altitude_km, part.inclination_deg,
            pattern=part.design.split("-")[1], **extra,
        )  # fmt: skip
    except designs.DesignError as exc:
        raise InputError.at("fleet", f"design {part.design}: {exc}") from None


def _hint() -> str:
    from sahelsat.inputs import FLEET_HELP

    return "use " + FLEET_HELP


def resolve_fleet(
    spec: FleetSpec | str,
    *,
    folder: str | Path = ".",
    uploads=None,
    epoch=None,
    allow_empty: bool = False,
):
    """The satellites a :class:`FleetSpec` (or its text) names, as one Fleet.

    Parts are joined in order, then ``spec.select`` keeps the satellites whose name
    matches. Records skipped in element files are kept in ``fleet.skipped``. Raises
    :class:`~sahelsat.inputs.InputError` (field ``fleet``) for a missing file, an unknown
    upload, a bad design or (unless ``allow_empty``) no satellite at all.
    """
    from sahelsat.fleet import Fleet

    if not isinstance(spec, FleetSpec):
        spec = FleetSpec.parse(spec, uploads=uploads is not None)
    fleet = Fleet([])
    for part in spec.parts:
        fleet = fleet + resolve_part(part, folder=folder, uploads=uploads, epoch=epoch)
    if spec.select:
        fleet = fleet.select(spec.select)
    if not len(fleet) and not allow_empty:
        raise InputError.at("fleet", f"no satellite in {spec}" + (
            f" matches {spec.select!r}" if spec.select else ""))  # fmt: skip
    return fleet
