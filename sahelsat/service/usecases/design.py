"""Map layers of the connectivity design of the default scenario (its ``[design]`` table):
the spot beams (each beam's cell, reuse colour, capacity and demand) and the people served
per region, with what they rest on. A design costs seconds: it is computed once and kept
in a bounded cache, and at most ``Settings.max_heavy_at_once`` designs run at once."""

from __future__ import annotations

from sahelsat.service.cache import LRUCache
from sahelsat.service.usecases import CapabilityMissing

#: The layers a caller may ask for.
DESIGN_LAYERS = ("beams", "regions")
_DESIGNS: dict[int, LRUCache] = {}  # one cache per bound on designs at once (per settings)


def _compute() -> dict:
    try:
        from sahelsat.comms import design
        from sahelsat.scenario import load_scenario
        from sahelsat.scenario.design_chapter import rests_on
    except ImportError:
        raise CapabilityMissing("connectivity design (sahelsat.comms.design)") from None
    scenario = load_scenario("sahel")
    params = scenario.design_parameters() or design.DesignParameters(leo=())
    d = design.run_design(params, broadcast_on=False)
    beams = design.beam_geojson(d)
    beams["metadata"].pop("parameters", None)  # the summary below says what matters
    return {
        "design": d.summary["design"],
        "scenario": scenario.scenario.name,
        "summary": design._jsonable({k: v for k, v in d.summary.items() if k != "notes"}),
        "rests_on": {lang: rests_on(d, lang) for lang in ("en", "fr")},
        "layers": {"beams": beams, "regions": design.region_geojson(d)},
    }


def design_layers(layer: str = "all", at_once: int = 2) -> dict:
    """The default design's layers: ``layer`` ``all`` or one of :data:`DESIGN_LAYERS`.
    Returns ``{design, scenario, summary, rests_on: {en, fr}, layers: {name: GeoJSON}}``."""
    cache = _DESIGNS.setdefault(at_once, LRUCache(2, limit=at_once))
    body = cache.get_or_compute("sahel", _compute)
    names = DESIGN_LAYERS if layer == "all" else (layer,)
    return {**body, "layers": {n: body["layers"][n] for n in names}}
