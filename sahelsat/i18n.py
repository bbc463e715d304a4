"""Words of the figures sahelsat draws, in English and French (the reports' languages).

``figure_text(lang)`` gives the strings of one language; ``lang_path(path, lang)`` the
file of a figure in that language (English keeps the plain name: ``gantt.png``,
``gantt.fr.png``).
"""

from __future__ import annotations

from pathlib import Path

FIGURE_TEXT = {
    "en": {
        "hours_from": "hours from {t0:%Y-%m-%d %H:%M} UTC",
        "pass_timeline": "Passes of the imaging satellites over the ground stations "
        "(one colour per satellite)",
        "time_covered": "time covered (%)",
        "longest_gap": "longest revisit gap (h)\n(blank: seen once or never)",
        "coverage": "Coverage by the imaging fleet, elevation ≥ {el:g}°",
        "off_nadir": "off-nadir ≤ {deg:g}°",
        "cells": "{res:g}° cells",
        "mean_gap": "mean revisit gap (h)",
        "cells_count": "cells",
        "revisit_histogram": "Mean revisit gap of the area's cells (those seen twice or more)",
        "availability": "availability (%)",
        "dish": "smallest dish meeting the target (m)",
        "throughput": "throughput at target availability (Mbit/s)",
        "target": "target {av} %, {tp:g} Mbit/s; ITU-R {rev}",
        "station": "station {name}",
        "gantt": "Acquisitions and downlinks: value {value}, {n} acquisitions",
        "strips": "Planned strips (orange) over served (blue) and unserved (red) areas",
    },
    "fr": {
        "hours_from": "heures depuis le {t0:%Y-%m-%d %H:%M} UTC",
        "pass_timeline": "Passages des satellites d'imagerie au-dessus des stations sol "
        "(une couleur par satellite)",
        "time_covered": "temps couvert (%)",
        "longest_gap": "plus long intervalle de revisite (h)\n(vide : vue une fois ou jamais)",
        "coverage": "Couverture par la flotte d'imagerie, élévation ≥ {el:g}°",
        "off_nadir": "dépointage ≤ {deg:g}°",
        "cells": "cellules de {res:g}°",
        "mean_gap": "intervalle moyen de revisite (h)",
        "cells_count": "cellules",
        "revisit_histogram": "Intervalle moyen de revisite des cellules de la zone "
        "(vues au moins deux fois)",
        "availability": "disponibilité (%)",
        "dish": "plus petite antenne atteignant l'objectif (m)",
        "throughput": "débit à la disponibilité visée (Mbit/s)",
        "target": "objectif {av} %, {tp:g} Mbit/s ; UIT-R {rev}",
        "station": "station {name}",
        "gantt": "Acquisitions et vidages : valeur {value}, {n} acquisitions",
        "strips": "Bandes planifiées (orange) sur les zones servies (bleu) et non servies (rouge)",
    },
}
LANGUAGES = tuple(FIGURE_TEXT)


def figure_text(lang: str) -> dict[str, str]:
    """The figure strings of ``lang`` (one of :data:`LANGUAGES`)."""
    if lang not in FIGURE_TEXT:
        raise ValueError(f"lang: {lang!r} is not one of {', '.join(LANGUAGES)}")
    return FIGURE_TEXT[lang]


def lang_path(path: str | Path, lang: str) -> Path:
    """``path`` for a figure in ``lang``: unchanged in English, ``name.<lang>.png`` else."""
    path = Path(path)
    figure_text(lang)  # validates lang
    return path if lang == "en" else path.with_suffix(f".{lang}{path.suffix}")
