"""Sphinx extension of the sahelsat documentation.

Two kinds of directives, so that nothing on the site can drift from the code:

- executed examples: ``sahelsat-python`` runs its Python code at build time (one namespace
  per page, working folder per page) and ``sahelsat-shell`` runs its command lines with
  the ``sahelsat`` of this environment; the code and what it printed are shown. An error
  is a build warning, so ``-W`` (``make docs``) fails the build: a renamed argument
  breaks it.
- generated references: ``sahelsat-scenario-keys`` (every key of a scenario file, from the
  typed models), ``sahelsat-settings`` (the service's environment variables),
  ``sahelsat-openapi`` (the routes of the service's application) and
  ``sahelsat-validation`` (figures recomputed against published references).

Each build runs in its own data folder (``SAHELSAT_DATA_DIR``), so examples use the
shipped element sets and never the reader's downloads.
"""

from __future__ import annotations

import abc
import contextlib
import functools
import html
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import types
import typing
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

#: Per page: the Python namespace and working folder its examples share. The English and
#: French versions of a page (``en/x``, ``fr/x``) share them, and an example whose code is
#: the same as one already run there is shown with that run's output (run once a build).
_PAGES: dict[str, tuple[dict, Path]] = {}
_RESULTS: dict[tuple[str, str, str], str] = {}
#: Validation figures by name, computed once a build.
_FIGURES: dict[str, tuple] = {}
_ROOT: dict[str, Path] = {}
#: Seconds spent running examples, per page (printed at the end of the build).
_SPENT: dict[str, float] = {}
#: Longest a shell example may run, seconds.
SHELL_TIMEOUT_S = 300


def page_key(docname: str) -> str:
    """The page a document's examples belong to: its name without the language folder."""
    head, _, rest = docname.partition("/")
    return rest if head in ("en", "fr") and rest else docname


def _page(docname: str) -> tuple[dict, Path]:
    key = page_key(docname)
    if key not in _PAGES:
        folder = _ROOT["run"] / key.replace("/", "_")
        folder.mkdir(parents=True, exist_ok=True)
        _PAGES[key] = ({"__name__": "__docs__"}, folder)
    return _PAGES[key]


def _code(text: str, language: str) -> nodes.literal_block:
    block = nodes.literal_block(text, text)
    block["language"] = language
    return block


def _output(text: str, limit: int | None) -> nodes.literal_block:
    lines = text.rstrip().splitlines()
    if limit is not None and len(lines) > limit:
        lines = [*lines[:limit], f"... ({len(lines) - limit} more lines)"]
    block = _code("\n".join(lines), "text")
    block["classes"].append("sahelsat-output")
    return block


class _Executed(SphinxDirective, metaclass=abc.ABCMeta):
    """A code block run at build time; each kind (Python, shell) says how it runs."""

    has_content = True
    option_spec = {
        "lines": directives.nonnegative_int,
        "hide-output": directives.flag,
        "figure": directives.unchanged_required,
        "alt": directives.unchanged,
    }
    language = "python"

    @abc.abstractmethod
    def execute(self, code: str, folder: Path, namespace: dict) -> str:
        """Run ``code`` in the page's working ``folder`` (Python blocks share
        ``namespace``); return what it printed."""

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content)
        namespace, folder = _page(self.env.docname)
        t0 = time.perf_counter()
        done = (page_key(self.env.docname), self.name, code)
        try:
            if done not in _RESULTS:
                _RESULTS[done] = self.execute(code, folder, namespace)
            printed = _RESULTS[done]
        except Exception as exc:  # the build fails on this warning (-W)
            logger.warning(
                "example failed: %s", exc, location=(self.env.docname, self.lineno),
                type="sahelsat", subtype="example",
            )  # fmt: skip
            printed = f"ERROR: {exc}"
        _SPENT[self.env.docname] = _SPENT.get(self.env.docname, 0.0) + time.perf_counter() - t0
        shown = [_code(self.display(code), self.language)]
        if printed.strip() and "hide-output" not in self.options:
            shown.append(_output(printed, self.options.get("lines")))
        if "figure" in self.options:
            shown.extend(self.figure(folder))
        return shown

    def figure(self, folder: Path) -> list[nodes.Node]:
        """The image the example wrote (``:figure: PATH`` in the page's folder), copied
        into the site and shown below the example."""
        source = folder / self.options["figure"]
        if not source.is_file():
            logger.warning("example figure %s was not written", self.options["figure"],
                           location=(self.env.docname, self.lineno), type="sahelsat")  # fmt: skip
            return []
        name = f"{page_key(self.env.docname)}-{self.options['figure']}".replace("/", "-")
        target = Path(self.env.app.outdir) / "_static" / "examples" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        uri = "../" * self.env.docname.count("/") + f"_static/examples/{name}"
        alt = html.escape(self.options.get("alt") or self.options["figure"], quote=True)
        tag = f'<img class="sahelsat-figure" src="{html.escape(uri, quote=True)}" alt="{alt}"/>'
        return [nodes.raw("", tag, format="html")]

    def display(self, code: str) -> str:
        return code


class PythonExample(_Executed):
    """Python code run at build time in the page's namespace; shows code and output."""

    def execute(self, code: str, folder: Path, namespace: dict) -> str:
        out = io.StringIO()
        here = os.getcwd()
        os.chdir(folder)
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"<{self.env.docname}:{self.lineno}>", "exec"), namespace)
        except Exception as exc:
            frames = traceback.extract_tb(exc.__traceback__)
            lines = code.splitlines()
            where = [
                f"line {f.lineno}: {lines[f.lineno - 1].strip()}"
                for f in frames
                if f.filename.startswith("<") and 0 < (f.lineno or 0) <= len(lines)
            ]
            what = "".join(traceback.format_exception_only(exc)).strip()
            raise RuntimeError(f"{what} (example {where[-1] if where else ''})") from exc
        finally:
            os.chdir(here)
        return out.getvalue()


class ShellExample(_Executed):
    """Command lines (one per line, ``sahelsat ...``) run at build time in the page's
    working folder; shows each with a ``$`` prompt, then the output."""

    language = "console"
    option_spec = {**_Executed.option_spec, "data-dir": directives.unchanged_required}

    def execute(self, code: str, folder: Path, namespace: dict) -> str:
        env = dict(os.environ, COLUMNS="110", NO_COLOR="1", TERM="dumb")
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        if "data-dir" in self.options:  # a data folder of the page's own (element updates)
            env["SAHELSAT_DATA_DIR"] = str(folder / self.options["data-dir"])
        printed = []
        for line in code.splitlines():
            if not line.strip():
                continue
            words = shlex.split(line)
            done = subprocess.run(
                words, cwd=folder, env=env, capture_output=True, text=True,
                timeout=SHELL_TIMEOUT_S,
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(f"{line!r} exited {done.returncode}: {done.stderr[-2000:]}")
            printed.extend(x for x in done.stdout.splitlines(True) if not _progress(x))
        return "".join(printed)

    def display(self, code: str) -> str:
        return "\n".join(f"$ {line}" for line in code.splitlines() if line.strip())


def _progress(line: str) -> bool:
    """A progress-spinner line of the command line (not part of the answer)."""
    return line[:1] in "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏" and line[:1] != ""


# ------------------------------------------------------------------ generated tables


def table(headers: list[str], rows: list[list], code_columns=(0,), widths=None) -> nodes.table:
    """A docutils table; cells of ``code_columns`` are shown as literals."""
    tgroup = nodes.tgroup(cols=len(headers))
    for w in widths or [1] * len(headers):
        tgroup += nodes.colspec(colwidth=w)
    head = nodes.thead()
    head += nodes.row("", *[nodes.entry("", nodes.paragraph(text=h)) for h in headers])
    body = nodes.tbody()
    for row in rows:
        cells = []
        for k, value in enumerate(row):
            text = "" if value is None else str(value)
            inner = nodes.literal(text, text) if k in code_columns and text else nodes.Text(text)
            cells.append(nodes.entry("", nodes.paragraph("", "", inner)))
        body += nodes.row("", *cells)
    tgroup += head
    tgroup += body
    result = nodes.table()
    result["classes"].append("sahelsat-generated")
    result += tgroup
    return result


UNITS = (
    ("_km", "km"), ("_deg", "degree"), ("_hours", "hour"), ("_days", "day"), ("_s", "second"),
    ("_m", "metre"), ("_mbps", "Mbit/s"), ("_gbit", "Gbit"), ("_percent", "%"),
    ("_ghz", "GHz"), ("_dbw", "dBW"), ("_db", "dB"), ("_km2", "km²"),
)  # fmt: skip


def plain(text: str) -> str:
    """A docstring's text for a table cell: roles and literals unwrapped, one line."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", text)
    return " ".join(text.replace("``", "").split())


def unit_of(name: str) -> str:
    """The unit a field's name states (the project's naming rule), or ''."""
    for suffix, unit in UNITS:
        if name.endswith(suffix):
            return unit
    return ""


def _args(annotation) -> tuple:
    return typing.get_args(annotation)


def _is_optional(annotation) -> bool:
    origin = typing.get_origin(annotation)
    return origin in (typing.Union, types.UnionType) and type(None) in _args(annotation)


def _strip(annotation):
    """(annotation without Optional and Annotated, constraint objects found on the way)."""
    found = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            base, *meta = _args(annotation)
            for m in meta:
                found.extend(getattr(m, "metadata", [m]))
            annotation = base
        elif origin in (typing.Union, types.UnionType) and type(None) in _args(annotation):
            rest = [a for a in _args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation, found
            annotation = rest[0]
        else:
            return annotation, found


def type_text(annotation) -> str:
    """A short reading of a type annotation."""
    annotation, _ = _strip(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in _args(annotation))
    if origin in (list, tuple):
        args = [a for a in _args(annotation) if a is not Ellipsis]
        inner = ", ".join(type_text(a) for a in args)
        return f"list of {inner}" if origin is list or len(args) == 1 else f"({inner})"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_text(a) for a in _args(annotation))
    return getattr(annotation, "__name__", str(annotation))


def range_text(constraints) -> str:
    """``0 < x <= 600``, ``length 1-200``... from annotated-types constraints."""
    low = high = ""
    lengths = []
    for c in constraints:
        name = type(c).__name__
        if name == "Ge":
            low = f"{c.ge:g} ≤ "
        elif name == "Gt":
            low = f"{c.gt:g} < "
        elif name == "Le":
            high = f" ≤ {c.le:g}"
        elif name == "Lt":
            high = f" < {c.lt:g}"
        elif name == "MinLen":
            lengths.append(f"at least {c.min_length}")
        elif name == "MaxLen":
            lengths.append(f"at most {c.max_length}")
    text = f"{low}x{high}" if low or high else ""
    if lengths:
        text = (text + "; " if text else "") + "length " + ", ".join(lengths)
    return text


def _default_text(field) -> str:
    from pydantic_core import PydanticUndefined

    if field.default_factory is not None:
        try:
            value = field.default_factory()
        except TypeError:
            return "(computed)"
    elif field.default is PydanticUndefined:
        return "required"
    else:
        value = field.default
    if hasattr(value, "model_dump"):
        return "(table)"
    if isinstance(value, Path):
        return str(value)
    return repr(value)


def _model_of(annotation):
    from pydantic import BaseModel

    annotation, _ = _strip(annotation)
    if typing.get_origin(annotation) in (list, tuple):
        inner = [a for a in _args(annotation) if a is not Ellipsis]
        if len(inner) == 1:
            return _model_of(inner[0])[0], True
        return None, False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def model_rows(model, prefix: str = "", skip=()) -> list[list]:
    """One row per field of ``model`` (nested models flattened into dotted keys)."""
    rows = []
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        key = f"{prefix}{name}"
        inner, is_list = _model_of(field.annotation)
        if inner is not None:
            label = f"{key}[]" if is_list else key
            kind = "list of tables" if is_list else "table"
            doc = plain((inner.__doc__ or "").strip().split("\n\n")[0])
            rows.append([label, kind, "", _default_text(field), range_text(field.metadata), doc])
            rows.extend(model_rows(inner, f"{label}.", skip))
            continue
        _, found = _strip(field.annotation)
        rng = range_text([*field.metadata, *found])
        optional = _is_optional(field.annotation)
        kind = type_text(field.annotation) + (" (optional)" if optional else "")
        rows.append([key, kind, unit_of(name), _default_text(field), rng,
                     plain(field.description or "")])  # fmt: skip
    return rows


class ScenarioKeys(SphinxDirective):
    """Every key of a scenario file, generated from :class:`sahelsat.scenario.config.Scenario`."""

    def run(self):
        from sahelsat.scenario.config import Scenario

        rows = model_rows(Scenario, skip=("folder",))
        headers = ["key", "type", "unit", "default", "range", "meaning"]
        return [table(headers, rows, code_columns=(0, 3), widths=[22, 18, 8, 12, 14, 26])]


class ServiceSettings(SphinxDirective):
    """The service's environment variables, generated from its ``Settings``."""

    def run(self):
        from sahelsat.service.settings import Settings

        prefix = Settings.model_config.get("env_prefix", "")
        rows = [[f"{prefix}{r[0]}".upper(), *r[1:]] for r in model_rows(Settings)]
        headers = ["variable", "type", "unit", "default", "range", "meaning"]
        return [table(headers, rows, code_columns=(0, 3), widths=[24, 14, 6, 14, 12, 30])]


@functools.cache
def service_openapi() -> dict:
    """The OpenAPI document of the service application (an in-memory store, no seed)."""
    from sahelsat.service.api import create_app

    app = create_app(database_url="sqlite://", default_scenario=False, workers=1)
    try:
        return app.openapi()
    finally:
        app.state.runner.shutdown()


class OpenApi(SphinxDirective):
    """The routes of the service, generated from its application; writes openapi.json."""

    def run(self):
        import json

        spec = service_openapi()
        out = Path(self.env.app.outdir) / "_static"
        out.mkdir(parents=True, exist_ok=True)
        (out / "openapi.json").write_text(json.dumps(spec, indent=1))
        rows = []
        for path, ops in spec["paths"].items():
            for method, op in ops.items():
                text = plain((op.get("description") or "").strip().split("\n\n")[0])
                rows.append([f"{method.upper()} {path}", op.get("summary", ""), text])
        depth = self.env.docname.count("/")
        link = nodes.reference("openapi.json", "openapi.json",
                               refuri="../" * depth + "_static/openapi.json")  # fmt: skip
        intro = nodes.paragraph(
            "",
            f"{spec['info']['title']} {spec['info']['version']}: {len(rows)} operations, "
            f"{len(spec.get('components', {}).get('schemas', {}))} schemas; the document: ",
            link,
        )
        return [intro, table(["operation", "summary", "description"], rows, widths=[30, 20, 50])]


class Validation(SphinxDirective):
    """Figures recomputed at build time against a published reference
    (argument: ``vallado``, ``skyfield`` or ``itu``)."""

    required_arguments = 1

    def run(self):
        import validation

        name = self.arguments[0]
        t0 = time.perf_counter()
        try:
            if name not in _FIGURES:  # computed once a build, shown on both languages' pages
                _FIGURES[name] = getattr(validation, name)()
            headers, rows, note = _FIGURES[name]
        except Exception as exc:
            logger.warning("validation %s failed: %s", name, exc,
                           location=(self.env.docname, self.lineno))  # fmt: skip
            return []
        _SPENT[self.env.docname] = _SPENT.get(self.env.docname, 0.0) + time.perf_counter() - t0
        shown = [table(headers, rows, code_columns=())]
        if note:
            shown.append(nodes.paragraph(text=note))
        return shown


_SAVED_ENV: dict[str, str | None] = {}


def _start(app):
    """A fresh start for each build: empty caches, a temporary folder for the examples'
    files and data (the shipped element sets only), the environment saved."""
    for cache in (_PAGES, _RESULTS, _FIGURES, _SPENT):
        cache.clear()
    root = Path(tempfile.mkdtemp(prefix="sahelsat-docs-"))
    _ROOT["root"], _ROOT["run"] = root, root / "run"
    for name, value in (("SAHELSAT_DATA_DIR", str(root / "data")), ("MPLBACKEND", "Agg")):
        _SAVED_ENV[name] = os.environ.get(name)
        os.environ[name] = value


def _finish(app, exception):
    """Put the environment back, remove the temporary folder, print the time spent."""
    for name, value in _SAVED_ENV.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _SAVED_ENV.clear()
    shutil.rmtree(_ROOT.pop("root", ""), ignore_errors=True)
    if _SPENT:  # on stderr, also under -q
        slow = sorted(_SPENT.items(), key=lambda kv: -kv[1])[:6]
        print(f"sahelsat examples: {sum(_SPENT.values()):.1f} s in all; slowest: "
              + ", ".join(f"{d} {s:.1f} s" for d, s in slow), file=sys.stderr)  # fmt: skip


def _page_language(app, pagename, templatename, context, doctree):
    """French pages (``fr/...``) say so in their ``<html lang>``; the others are English."""
    context["language"] = "fr" if pagename.startswith("fr/") else "en"


def setup(app):
    app.connect("builder-inited", _start)
    app.connect("html-page-context", _page_language)
    app.connect("build-finished", _finish)
    app.add_directive("sahelsat-python", PythonExample)
    app.add_directive("sahelsat-shell", ShellExample)
    app.add_directive("sahelsat-scenario-keys", ScenarioKeys)
    app.add_directive("sahelsat-settings", ServiceSettings)
    app.add_directive("sahelsat-openapi", OpenApi)
    app.add_directive("sahelsat-validation", Validation)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
