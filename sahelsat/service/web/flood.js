// sahelsat web map: the flood chain's layers (regions touched, water or the given /
// exercise extent, affected settlements) and the table of people affected per region,
// from /api/floods/layers. EN / FR. Loaded after app.js (uses its map, $, el, api, lang).
// Every value from the API is inserted as text, never as HTML.
"use strict";

const FLOOD_TEXT = {
  en: {
    floods: "Floods", source: "Flood", latest: "Latest flood job",
    exercise_opt: "Exercise extents (not observations)", show: "Show",
    country: "Country", region: "Region", settlements: "Settlements", people: "People affected",
    alert: "Alert level", flooded_km2: "Flooded area (km²)", none: "No region touched.",
    loading: "Loading…", of_job: "Flood job #{id}, scene {scene}",
    alerts: { none: "none", watch: "watch", warning: "warning", emergency: "emergency" },
  },
  fr: {
    floods: "Crues", source: "Crue", latest: "Dernière tâche de crue",
    exercise_opt: "Emprises d'exercice (pas des observations)", show: "Afficher",
    country: "Pays", region: "Région", settlements: "Localités", people: "Personnes touchées",
    alert: "Niveau d'alerte", flooded_km2: "Surface inondée (km²)", none: "Aucune région touchée.",
    loading: "Chargement…", of_job: "Tâche de crue n° {id}, scène {scene}",
    alerts: { none: "aucun", watch: "veille", warning: "alerte", emergency: "urgence" },
  },
};
const floodT = (key, vars = {}) =>
  String((FLOOD_TEXT[lang] || FLOOD_TEXT.en)[key] ?? FLOOD_TEXT.en[key] ?? key)
    .replace(/\{(\w+)\}/g, (_, k) => vars[k]);
let floodLayers = null;
const ALERT_COLOURS = ["match", ["get", "alert"], "emergency", "#b2182b", "warning", "#ef8a62",
  "watch", "#fddbc7", "#cccccc"];

function floodLanguage() {
  document.querySelectorAll("[data-flood-i18n]").forEach((node) => {
    node.textContent = floodT(node.dataset.floodI18n);
  });
  if (floodLayers) drawFloodPanel(floodLayers);
}

function addFloodLayers() {
  const empty = { type: "FeatureCollection", features: [] };
  for (const name of ["flood-regions", "flood-water", "flood-settlements"]) {
    if (!map.getSource(name)) map.addSource(name, { type: "geojson", data: empty });
  }
  if (map.getLayer("flood-regions-fill")) return;
  map.addLayer({ id: "flood-regions-fill", type: "fill", source: "flood-regions",
    paint: { "fill-color": ALERT_COLOURS, "fill-opacity": 0.3 } });
  map.addLayer({ id: "flood-regions-line", type: "line", source: "flood-regions",
    paint: { "line-color": "#555", "line-width": 1 } });
  map.addLayer({ id: "flood-water", type: "fill", source: "flood-water",
    paint: { "fill-color": ["case", ["==", ["get", "exercise"], true], "#d95f02", "#0b3d91"],
             "fill-opacity": 0.6 } });
  map.addLayer({ id: "flood-settlements", type: "circle", source: "flood-settlements",
    paint: { "circle-radius": ["interpolate", ["linear"], ["get", "people"], 0, 2.5, 100000, 10],
             "circle-color": "#b2182b", "circle-stroke-color": "#fff", "circle-stroke-width": 0.5 } });
}

function cell(tag, text) {
  return el(tag, {}, text);
}

function drawFloodPanel(data) {
  const label = $("flood-label");
  label.textContent = lang === "fr" ? data.label_fr : data.label;
  $("flood-note").textContent = lang === "fr" ? data.population_note_fr : data.population_note;
  $("flood-status").textContent = data.job_id
    ? floodT("of_job", { id: data.job_id, scene: data.source }) : data.source;
  const table = $("flood-table");
  const alerts = floodT("alerts");
  const head = el("tr", {}, ...["country", "region", "settlements", "people", "alert", "flooded_km2"]
    .map((k) => cell("th", floodT(k))));
  const rows = data.table.map((r) => el("tr", { className: "flood-row" },
    cell("td", r.country), cell("td", r.region),
    cell("td", Number(r.settlements).toLocaleString(lang)),
    cell("td", Math.round(Number(r.people)).toLocaleString(lang)),
    cell("td", alerts[r.alert] || r.alert),
    cell("td", Number(r.flooded_km2).toLocaleString(lang, { maximumFractionDigits: 1 }))));
  table.replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  if (!rows.length) table.replaceChildren(cell("caption", floodT("none")));
}

async function showFlood() {
  $("flood-status").textContent = floodT("loading");
  try {
    const which = $("flood-source").value;
    const data = await api(`/api/floods/layers${which === "exercise" ? "?exercise=true" : ""}`);
    floodLayers = data;
    addFloodLayers();
    map.getSource("flood-regions").setData(data.regions);
    map.getSource("flood-water").setData(data.water);
    map.getSource("flood-settlements").setData(data.settlements);
    drawFloodPanel(data);
  } catch (e) {
    floodLayers = null;
    $("flood-label").textContent = "";
    $("flood-table").replaceChildren();
    $("flood-status").textContent = e.message;
  }
}

function initFlood() {
  floodLanguage();
  $("flood-show").addEventListener("click", showFlood);
  // after app.js's own handler has switched the language (it may be registered later)
  $("lang").addEventListener("click", () => setTimeout(floodLanguage, 0));
  if (map.isStyleLoaded()) addFloodLayers(); else map.on("load", addFloodLayers);
}

initFlood();
