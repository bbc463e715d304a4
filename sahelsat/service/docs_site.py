"""The documentation site under ``/docs``: the HTML that ``make docs`` builds, served as
static files so that an operator on a closed network has it beside the service.

The folder is ``Settings.docs_dir`` (``SAHELSAT_DOCS_DIR``), by default the build of a
source checkout (``docs/_build/html``). Without a built site, ``/docs`` answers a 404 page
that says how to build it. The pages carry the service's security headers like every
other answer: the site is built with no inline script or style (see ``docs/conf.py``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from sahelsat.service.settings import Settings

#: Where ``make docs`` writes the site in a source checkout.
BUILT_DOCS = Path(__file__).resolve().parents[2] / "docs" / "_build" / "html"

MISSING = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Documentation not built</title></head>
<body><h1>Documentation not built / Documentation non construite</h1>
<p>This service has no documentation site: run <code>make docs</code> in the sahelsat
source folder (it writes docs/_build/html), or set SAHELSAT_DOCS_DIR to a built site, then
restart the service.</p>
<p>Ce service n'a pas de site de documentation : lancez <code>make docs</code> dans le
dossier source de sahelsat (il écrit docs/_build/html), ou donnez un site construit dans
SAHELSAT_DOCS_DIR, puis redémarrez le service.</p></body></html>
"""


def docs_folder(docs_dir: Path | None) -> Path | None:
    """The built site to serve (``docs_dir``, else :data:`BUILT_DOCS`), or None when it
    holds no ``index.html``."""
    folder = Path(docs_dir) if docs_dir else BUILT_DOCS
    return folder if (folder / "index.html").is_file() else None


def mount_docs(app: FastAPI, settings: Settings) -> Path | None:
    """Serve the built site of ``settings.docs_dir`` at ``/docs`` (its ``index.html`` at
    ``/docs/``); without one, answer every ``/docs`` path with a 404 page saying how to
    build it. Returns the folder served, or None."""
    folder = docs_folder(settings.docs_dir)
    if folder is not None:
        app.mount("/docs", StaticFiles(directory=folder, html=True), name="docs")
        return folder

    def missing() -> HTMLResponse:
        return HTMLResponse(MISSING, status_code=404)

    app.add_api_route("/docs", missing, include_in_schema=False)
    app.add_api_route("/docs/{path:path}", missing, include_in_schema=False)
    return None
