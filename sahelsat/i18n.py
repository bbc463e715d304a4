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
        "design_title": "Connectivity design: {name}",
        "design_beams": "{n} spot beams of {width:.2f}° in {colours} colours, {bw:g} MHz "
        "and {eirp:g} dBW each",
        "design_capacity": "capacity {cap:.1f} Gbit/s; busy-hour demand {off:.1f} Gbit/s, "
        "served {srv:.1f} Gbit/s",
        "design_people": "people served at {speed:g} Mbit/s and {av} % availability: "
        "{served:,.0f} of {pop:,.0f}",
        "design_source": "population base: {src}",
        "design_gateways": "gateways: {n} at {band} band ({sites}), availability {av:.3f} %",
        "design_dth": "DTH reach (people per dish): {reach}; carrier {mbps:.1f} Mbit/s",
        "design_region": "  {country} {region}: {served:,.0f} of {pop:,.0f} people served",
        "design_note_skipped": "{n} settlement rows skipped: {rows}",
        "design_note_leo_grid": "LEO visibility is computed for settlements, not grid demand",
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
        "design_title": "Conception du système de connectivité : {name}",
        "design_beams": "{n} faisceaux de {width:.2f}° en {colours} couleurs, {bw:g} MHz "
        "et {eirp:g} dBW chacun",
        "design_capacity": "capacité {cap:.1f} Gbit/s ; demande à l'heure chargée "
        "{off:.1f} Gbit/s, servie {srv:.1f} Gbit/s",
        "design_people": "personnes servies à {speed:g} Mbit/s et {av} % de disponibilité : "
        "{served:,.0f} sur {pop:,.0f}",
        "design_source": "base de population : {src}",
        "design_gateways": "passerelles : {n} en bande {band} ({sites}), disponibilité {av:.3f} %",
        "design_dth": "portée de la télévision directe par satellite (personnes par "
        "antenne) : {reach} ; porteuse {mbps:.1f} Mbit/s",
        "design_region": "  {country} {region} : {served:,.0f} personnes servies sur {pop:,.0f}",
        "design_note_skipped": "{n} lignes de localités ignorées : {rows}",
        "design_note_leo_grid": "la visibilité des constellations en orbite basse est calculée "
        "pour les localités, pas pour la demande par maille",
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
