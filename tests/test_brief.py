"""The situation brief end to end, from a zone: both languages, the sections a reader
needs, people per region against the hand computation on the population base, next
images in the window (ours planned, the public missions forecast), and no observation
claimed where none was made."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys

import pandas as pd
import pytest
from shapely.geometry import box, mapping
from test_flood_chain import _hand_people

ZONE = box(2.0, 13.40, 2.25, 13.60)  # the Niger at Niamey


@pytest.fixture(scope="module")
def brief_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("brief")
    zone = {"type": "Feature", "properties": {"name": "Niamey riverside"},
            "geometry": mapping(ZONE)}  # fmt: skip
    (folder / "zone.geojson").write_text(json.dumps(zone))
    out = subprocess.run(
        [sys.executable, "-m", "sahelsat", "brief", "--zone", str(folder / "zone.geojson"),
         "--start", "2026-05-31T00:00:00Z", "--days", "2", "--out", str(folder / "b"),
         "--no-pdf"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    pages = {g: html.unescape((folder / "b" / f"brief.{g}.html").read_text("utf-8"))
             for g in ("en", "fr")}  # fmt: skip
    return folder / "b", pages, out.stderr


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"base64,[^\"]+", "", page)).split())


def test_both_languages_have_every_section(brief_run):
    _, pages, stderr = brief_run
    en, fr = _text(pages["en"]), _text(pages["fr"])
    for words in (
        "1. Area and regions concerned",
        "2. Next images of the area",
        "3. Our satellites",
        "4. Latest flood extent",
        "5. What is not known",
    ):
        assert words in en  # fmt: skip
    for words in (
        "1. Zone et régions concernées",
        "2. Prochaines images",
        "3. Nos satellites",
        "4. Dernière emprise",
        "5. Ce qui n'est pas connu",
    ):
        assert words in fr  # fmt: skip
    assert "Niamey" in en and "Niamey" in fr
    assert pages["en"].count("data:image/png;base64,") == 1
    assert "http://" not in pages["en"] and "https://" not in pages["en"]
    assert re.search(r"brief ready in [\d.]+ s", stderr)


def test_no_observation_is_claimed_for_a_given_zone(brief_run):
    _, pages, _ = brief_run
    en, fr = _text(pages["en"]), _text(pages["fr"])
    assert "given by the user" in en and "did not map it" in en
    assert "fournie par l'utilisateur" in fr
    assert "mapped by sahelsat" not in en and "cartographiée par sahelsat sur" not in fr
    assert "EXERCISE" not in en
    assert "Whether the given extent is current" in en  # what is not known


def test_people_per_region_match_the_hand_computation(brief_run):
    folder, pages, _ = brief_run
    regions = pd.read_csv(folder / "brief_regions.csv").set_index(["country", "region"])
    hand = _hand_people(ZONE)
    for key, row in hand.iterrows():
        assert regions.loc[key, "people"] == pytest.approx(row["people"], rel=0.01, abs=2)
        shown = f"{round(regions.loc[key, 'people'])}"
        assert shown in pages["en"] and shown in pages["fr"]


def test_next_images_are_in_the_window_and_labelled_by_who_operates_them(brief_run):
    folder, pages, _ = brief_run
    tl = pd.read_csv(folder / "brief_timeline.csv", parse_dates=["start", "data_available"])
    assert len(tl) > 0
    assert tl["start"].between("2026-05-31", "2026-06-02").all()
    assert (tl["data_available"] >= tl["start"]).all()
    assert tl["coverage"].between(0, 1, inclusive="right").all()
    ours = tl["satellite"].str.startswith("SAHELSAT")
    assert (tl.loc[ours, "status"] == "planned").all()
    assert (tl.loc[~ours, "status"] == "forecast").all()
    public = set(tl.loc[~ours, "satellite"])
    assert public and all(re.match(r"SENTINEL-[12]|LANDSAT [89]", s) for s in public)
    first = tl.dropna(subset=["data_available"]).sort_values("data_available").iloc[0]
    assert first["data_available"].strftime("%Y-%m-%d %H:%M") in pages["en"]


def test_the_exercise_brief_says_exercise_in_both_languages(tmp_path):
    from sahelsat.inputs import utc_time
    from sahelsat.scenario.brief import build_brief, render_brief

    b = build_brief(zone="exercise", start=utc_time("2026-05-31T00:00:00Z"), days=1)
    en = _text(html.unescape(render_brief(b, "en")))
    fr = _text(html.unescape(render_brief(b, "fr")))
    assert en.count("EXERCISE") >= 2 and "not an observation" in en
    assert "EXERCICE" in fr and "pas une observation" in fr
    assert {"Niamey", "Tillabéri", "Mopti"} <= set(b.chain.regions["region"])


def test_a_request_brief_counts_people_in_the_area_not_affected():
    from sahelsat.inputs import utc_time
    from sahelsat.scenario.brief import build_brief, render_brief

    b = build_brief(request="niamey-riverside", start=utc_time("2026-05-31T00:00:00Z"), days=1)
    en = _text(html.unescape(render_brief(b, "en")))
    assert "No flood extent is known yet" in en and "people in the area" in en
    assert "people affected" not in en.split("people affected per region")[1]
    assert "flood extent given" not in en
