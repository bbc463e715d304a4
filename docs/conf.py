"""Sphinx configuration of the sahelsat documentation (``make docs``).

Sphinx with MyST: pages are Markdown, the API reference comes from the docstrings
(autodoc), examples are executed at build time by the local extension in ``_ext/``,
and nothing is fetched from the network (no intersphinx, no external scripts).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

import sahelsat  # noqa: E402

project = "sahelsat"
author = "sahelsat contributors"
copyright = "sahelsat contributors, Apache-2.0"
version = release = sahelsat.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sahelsat_docs",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]
language = "en"

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the docstrings state shapes and units
autodoc_default_options = {"members": False}

# The theme: alabaster (Sphinx's default), whose pages load only the site's own files; the
# one inline script and style of Sphinx's search box are replaced by _templates/searchbox.html,
# so every page runs under the service's Content-Security-Policy (no inline script or style).
templates_path = ["_templates"]
html_theme = "alabaster"
html_theme_options = {"description": "Sahel regional satellite system", "show_powered_by": False}
html_static_path = ["_static"]
html_css_files = ["sahelsat.css"]
html_permalinks = True
# The general and module indexes are off: their pages carry inline styles (refused by the
# CSP); the search page and the API reference page cover what they list.
html_use_index = False
html_domain_indices = False
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
