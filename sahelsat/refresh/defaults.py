"""Settings of the refresh sources, each with its source: URLs, intervals, limits.

Every URL is a setting (a mirror on a closed network works): the environment variables
named here override the defaults, and the commands' ``--url`` overrides both.
"""

from __future__ import annotations

from sahelsat import __version__

#: CelesTrak's one domain (others answer HTTP 301; CelesTrak usage policy, 2026-05-22).
CELESTRAK_URL = "https://celestrak.org"
CELESTRAK_URL_ENV = "SAHELSAT_CELESTRAK_URL"
#: The GP query of CelesTrak ("A New Way to Obtain GP Data", gp-data-formats page).
CELESTRAK_GP_PATH = "/NORAD/elements/gp.php"
#: CelesTrak updates GP data at most every 2 hours and answers HTTP 403 to a repeated
#: download of a group within that time ("Data is updated once every 2 hours").
CELESTRAK_INTERVAL_S = 2 * 3600

SPACETRACK_URL = "https://www.space-track.org"
SPACETRACK_URL_ENV = "SAHELSAT_SPACETRACK_URL"
SPACETRACK_IDENTITY_ENV = "SAHELSAT_SPACETRACK_IDENTITY"
SPACETRACK_PASSWORD_ENV = "SAHELSAT_SPACETRACK_PASSWORD"
#: Space-Track's API documentation ("API Use Guidelines"): the ``gp`` class at most once
#: an hour per query, and at most 30 requests a minute (hence 2 s between requests).
SPACETRACK_INTERVAL_S = 3600
SPACETRACK_MIN_SPACING_S = 2.0
#: Catalogue numbers per Space-Track query (keeps the URL well under 8 kB).
SPACETRACK_CHUNK = 500

#: IERS Rapid Service/Prediction Centre, finals2000A.all (IAU 2000 values, observed then
#: predicted), as Skyfield fetches it; the USNO mirror is
#: https://maia.usno.navy.mil/ser7/finals2000A.all.
EOP_URL = "https://datacenter.iers.org/products/eop/rapid/standard/finals2000A.all"
EOP_URL_ENV = "SAHELSAT_EOP_URL"
#: The IERS updates finals2000A daily: one download a day is enough.
EOP_INTERVAL_S = 24 * 3600

#: After a failed request, wait this long before asking the same query again, doubling
#: with each further failure up to ``BACKOFF_MAX_S`` (CelesTrak asks machine clients to
#: stop at the first non-200 answer and have a person look).
BACKOFF_MAX_S = 24 * 3600
#: Seconds for a whole response (connection, headers and body).
TIMEOUT_S = 120.0
#: Largest response accepted (CelesTrak's whole active catalogue is about 15 MB as JSON).
MAX_RESPONSE_BYTES = 256 * 1024 * 1024
#: A new copy with fewer than MIN_KEEP_FRACTION x (previous count) - MIN_KEEP_SLACK
#: element sets is refused as a partial answer: between two updates a group changes by
#: launches and decays, a few percent, never by half.
MIN_KEEP_FRACTION = 0.5
MIN_KEEP_SLACK = 5

#: How the client names itself to the servers, so that whoever runs a source can tell
#: who asks and how often.
USER_AGENT = f"sahelsat/{__version__} (ground software for the Sahel regional satellite system)"
