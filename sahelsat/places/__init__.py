"""Places on the ground: sites, stations, country outlines, regions, settlements, people.

- :mod:`~sahelsat.places.sites`: validated site tables, the national ground stations;
- :mod:`~sahelsat.places.outlines`: the three countries' codes, outlines, named areas;
- :mod:`~sahelsat.places.admin`: first-level regions (and Burkina Faso's provinces)
  with their official population;
- :mod:`~sahelsat.places.gazetteer`: OpenStreetMap settlements and GeoNames towns;
- :mod:`~sahelsat.places.population`: the population base (official figures spread over
  settlements and a grid) and the people inside a polygon.

Everything shipped lives in ``sahelsat/data`` (origins and licences in its README).
"""

from sahelsat.places.admin import POPULATION_SOURCES, region_of, regions
from sahelsat.places.gazetteer import settlements, towns
from sahelsat.places.outlines import (
    COUNTRIES,
    area_geometry,
    country_code,
    country_outlines,
    data_path,
    draw_outlines,
)
from sahelsat.places.population import (
    footprint_m,
    people_by_region,
    people_in,
    population_grid,
    population_note,
    regions_touched,
    zone_exposure,
)
from sahelsat.places.sites import (
    GROUND_STATIONS,
    SITE_COLUMNS,
    SiteError,
    ground_stations,
    parse_site,
    site_arrays,
    sites_table,
)

# Older private names some callers use.
_country_code = country_code
_data_path = data_path

__all__ = [
    "COUNTRIES",
    "GROUND_STATIONS",
    "POPULATION_SOURCES",
    "SITE_COLUMNS",
    "SiteError",
    "area_geometry",
    "country_code",
    "country_outlines",
    "data_path",
    "draw_outlines",
    "footprint_m",
    "ground_stations",
    "parse_site",
    "people_by_region",
    "people_in",
    "population_grid",
    "population_note",
    "region_of",
    "regions",
    "regions_touched",
    "settlements",
    "site_arrays",
    "sites_table",
    "towns",
    "zone_exposure",
]
