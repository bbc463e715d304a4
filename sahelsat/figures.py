"""Figures with matplotlib's object API: no pyplot, no backend switch, no global state.

Every PNG the project writes is drawn on a :class:`matplotlib.figure.Figure` with its own
Agg canvas, so importing or running sahelsat never changes the caller's matplotlib backend
and never keeps figures alive in pyplot's registry.
"""

from __future__ import annotations


def new_figure(figsize=(9.0, 5.5), nrows: int = 1, ncols: int = 1, dpi: float | None = None):
    """A figure with its own Agg canvas and its axes: ``(fig, ax)`` for one panel,
    ``(fig, array of axes)`` otherwise. ``figsize`` in inches."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols)


def colour(name: str, i: int):
    """The ``i``-th colour (RGBA) of the qualitative colour map ``name`` (e.g. ``tab20``),
    cycling."""
    import matplotlib

    cmap = matplotlib.colormaps[name]
    return cmap(i % cmap.N)
