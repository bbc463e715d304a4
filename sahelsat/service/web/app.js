// sahelsat operations map: offline base map (country outlines, towns), satellites and
// ground tracks, station passes timeline, imaging requests drawn on the map, coverage /
// revisit heat map and settlement service status layers with a legend. EN / FR.
// Text that comes from data (names, messages) is always inserted as text (textContent, the
// DOM API, MapLibre's setText), never as HTML; the page's CSP allows no inline script/style.
"use strict";

const TEXT = {
  en: {
    title: "Sahel satellite operations", token: "API token", time: "Time (UTC)", fleet: "Fleet",
    passes: "Passes", requests: "Requests", jobs: "Jobs & products", station: "Station",
    min_el: "Min. elevation (°)", draw: "Draw an area", finish: "Finish area", clear: "Clear",
    draw_help: "Click the map to place the corners of the area, then “Finish area”.",
    name: "Name", start: "Start (UTC)", stop: "Stop (UTC)", priority: "Priority",
    submit: "Submit request", recent: "Recent requests", products: "Products",
    need_token: "Enter an API token to see the fleet, passes and requests.",
    no_passes: "No pass above the minimum elevation in the window.",
    loading: "Loading…", created: "Request #{id} submitted.",
    opportunities: "Next opportunities", none: "No opportunity in the window.",
    satellite: "Satellite", rise: "Rise", max_el: "Max. el.", set: "Set", when: "Start (UTC)",
    sensor: "Sensor", coverage: "Area covered", off_nadir: "Off-nadir", any: "any", optical: "optical",
    sar: "radar (SAR)",
    corners: "{n} corners; at least 3 are needed.", unavailable: "Not available: {why}",
    passes_of: "{n} passes over {site}, next {h} h", show: "show on map",
    approve: "approve", cancel: "cancel", schedule: "7-day schedule (CSV job)",
    stale: "⚠ element sets far from their epoch: positions may be off by kilometres",
    layers: "Layers", cov_layer: "Coverage / revisit", figure: "Figure",
    percent_covered: "% of time covered", mean_gap_s: "Mean revisit gap", max_gap_s: "Longest gap",
    cov_compute: "Compute for this fleet (24 h)", cov_none: "No coverage computed yet.",
    cov_of: "Job #{id}: fleet {fleet}, {area}, {start} → {stop}, {res}° cells, elevation ≥ {el}°",
    cov_running: "Coverage job #{id}: {status} {pct} %", never: "never covered",
    svc_layer: "Settlement service", band: "Band", availability: "Availability (%)",
    svc_wait: "Planning every settlement (a few seconds)…",
    svc_of: "{served} of {n} settlements served ({people} of {total} people), {band} band, {avail} %, {rate} Mbit/s",
    dish: "Dish", not_served: "not served", served: "served", throughput: "Throughput",
    population: "Population", legend_dish: "Smallest dish (m)",
    ages: "Element sets", age_fleet: "Fleet", age_source: "Source", age_fetched: "Fetched (UTC)",
    age_epochs: "Epochs (UTC)", age_days: "Age (days)", age_shipped: "shipped snapshot",
    age_refresh: "Refresh from the source", age_started: "Refresh job #{id} started.",
    age_running: "Refresh job #{id} already queued or running.",
    age_note: "Age: days since the median epoch. Low orbits drift by kilometres within days.",
  },
  fr: {
    title: "Opérations satellitaires du Sahel", token: "Jeton d’API", time: "Heure (UTC)",
    fleet: "Flotte", passes: "Passages", requests: "Demandes", jobs: "Tâches et produits",
    station: "Station", min_el: "Élévation min. (°)", draw: "Dessiner une zone",
    finish: "Terminer la zone", clear: "Effacer",
    draw_help: "Cliquez sur la carte pour placer les sommets de la zone, puis « Terminer la zone ».",
    name: "Nom", start: "Début (UTC)", stop: "Fin (UTC)", priority: "Priorité",
    submit: "Envoyer la demande", recent: "Demandes récentes", products: "Produits",
    need_token: "Saisissez un jeton d’API pour voir la flotte, les passages et les demandes.",
    no_passes: "Aucun passage au-dessus de l’élévation minimale dans la fenêtre.",
    loading: "Chargement…", created: "Demande n° {id} envoyée.",
    opportunities: "Prochaines opportunités", none: "Aucune opportunité dans la fenêtre.",
    satellite: "Satellite", rise: "Lever", max_el: "Élév. max.", set: "Coucher", when: "Début (UTC)",
    sensor: "Capteur", coverage: "Zone couverte", off_nadir: "Dépointage", any: "tous", optical: "optique",
    sar: "radar (RSO)",
    corners: "{n} sommets ; il en faut au moins 3.", unavailable: "Indisponible : {why}",
    passes_of: "{n} passages au-dessus de {site}, prochaines {h} h", show: "afficher",
    approve: "approuver", cancel: "annuler", schedule: "Programme sur 7 jours (tâche CSV)",
    stale: "⚠ éléments orbitaux éloignés de leur époque : positions imprécises de plusieurs km",
    layers: "Couches", cov_layer: "Couverture / revisite", figure: "Indicateur",
    percent_covered: "% du temps couvert", mean_gap_s: "Intervalle moyen de revisite", max_gap_s: "Plus long intervalle",
    cov_compute: "Calculer pour cette flotte (24 h)", cov_none: "Aucune couverture calculée.",
    cov_of: "Tâche n° {id} : flotte {fleet}, {area}, {start} → {stop}, mailles de {res}°, élévation ≥ {el}°",
    cov_running: "Tâche de couverture n° {id} : {status} {pct} %", never: "jamais couvert",
    svc_layer: "Desserte des localités", band: "Bande", availability: "Disponibilité (%)",
    svc_wait: "Planification de chaque localité (quelques secondes)…",
    svc_of: "{served} localités desservies sur {n} ({people} habitants sur {total}), bande {band}, {avail} %, {rate} Mbit/s",
    dish: "Antenne", not_served: "non desservie", served: "desservie", throughput: "Débit",
    population: "Population", legend_dish: "Plus petite antenne (m)",
    ages: "Éléments orbitaux", age_fleet: "Flotte", age_source: "Source", age_fetched: "Téléchargés (UTC)",
    age_epochs: "Époques (UTC)", age_days: "Âge (jours)", age_shipped: "instantané livré",
    age_refresh: "Mettre à jour depuis la source", age_started: "Tâche de mise à jour n° {id} lancée.",
    age_running: "Tâche de mise à jour n° {id} déjà en attente ou en cours.",
    age_note: "Âge : jours depuis l’époque médiane. En orbite basse, l’écart atteint des kilomètres en quelques jours.",
  },
};

let lang = localStorage.getItem("sahelsat.lang") || (navigator.language.startsWith("fr") ? "fr" : "en");
const $ = (id) => document.getElementById(id);
// a new element: properties (className, id, value...), then children (strings become text)
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.map((c) => (c instanceof Node ? c : String(c ?? ""))));
  return node;
};
const t = (key, vars = {}) =>
  (TEXT[lang][key] || TEXT.en[key] || key).replace(/\{(\w+)\}/g, (_, k) => vars[k]);

function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $("lang").textContent = lang === "en" ? "FR" : "EN";
}

// ------------------------------------------------------------------ API
async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  const token = $("token").value.trim();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  const answer = await fetch(path, { ...options, headers });
  const body = await answer.json().catch(() => null);
  if (!answer.ok) {
    const reason = body && body.reason ? `${body.field ? body.field + ": " : ""}${body.reason}` : answer.statusText;
    const error = new Error(reason);
    error.status = answer.status;
    throw error;
  }
  return body;
}

const utcInput = (date) => date.toISOString().slice(0, 16);
const fromInput = (value) => new Date(value + ":00Z");
const shortTime = (iso) => iso.replace("T", " ").slice(5, 16);

// ------------------------------------------------------------------ map
const empty = { type: "FeatureCollection", features: [] };
const map = new maplibregl.Map({
  container: "map",
  center: [-1.5, 15.5],
  zoom: 4.3,
  attributionControl: { compact: true, customAttribution: "Outlines & towns: GeoNames / public data" },
  style: {
    version: 8,
    sources: {
      countries: { type: "geojson", data: "/api/places/countries" },
      towns: { type: "geojson", data: "/api/places/towns" },
      tracks: { type: "geojson", data: empty },
      requests: { type: "geojson", data: empty },
      draft: { type: "geojson", data: empty },
      product: { type: "geojson", data: empty },
      strips: { type: "geojson", data: empty },
      coverage: { type: "geojson", data: empty },
      service: { type: "geojson", data: empty },
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": "#e6e3dc" } },
      { id: "countries-fill", type: "fill", source: "countries",
        paint: { "fill-color": ["match", ["get", "iso3"], "MLI", "#f1dfb8", "NER", "#ecd3a6", "#f5e6c8"] } },
      { id: "countries-line", type: "line", source: "countries",
        paint: { "line-color": "#7a3b12", "line-width": 1.5 } },
      { id: "coverage-fill", type: "fill", source: "coverage", layout: { visibility: "none" },
        paint: { "fill-color": "#888", "fill-opacity": 0.72 } },
      { id: "towns", type: "circle", source: "towns",
        paint: { "circle-radius": ["interpolate", ["linear"], ["get", "population"], 0, 2, 2000000, 8],
                 "circle-color": "#5b3a29", "circle-opacity": 0.7 } },
      { id: "product-fill", type: "fill", source: "product", filter: ["==", ["geometry-type"], "Polygon"],
        paint: { "fill-color": "#1565c0", "fill-opacity": 0.45 } },
      { id: "product-line", type: "line", source: "product", paint: { "line-color": "#0d47a1", "line-width": 1 } },
      { id: "strips-fill", type: "fill", source: "strips", paint: { "fill-color": "#7b1fa2", "fill-opacity": 0.08 } },
      { id: "strips-line", type: "line", source: "strips", paint: { "line-color": "#7b1fa2", "line-width": 1, "line-opacity": 0.5 } },
      { id: "requests-fill", type: "fill", source: "requests",
        paint: { "fill-color": ["match", ["get", "status"], "approved", "#2e9d4a", "cancelled", "#999", "#e08a00"],
                 "fill-opacity": 0.35 } },
      { id: "requests-line", type: "line", source: "requests",
        paint: { "line-color": "#8a5a00", "line-width": 1.5 } },
      { id: "service", type: "circle", source: "service", layout: { visibility: "none" },
        paint: { "circle-radius": ["interpolate", ["linear"], ["get", "population"], 0, 3.5, 2000000, 9],
                 "circle-color": "#888", "circle-stroke-color": ["case", ["get", "served"], "#1b1b1b", "#b2182b"],
                 "circle-stroke-width": ["case", ["get", "served"], 1, 2] } },
      { id: "tracks", type: "line", source: "tracks", filter: ["==", ["get", "kind"], "track"],
        paint: { "line-color": "#1f5fa8", "line-width": 1, "line-opacity": 0.6 } },
      { id: "satellites", type: "circle", source: "tracks", filter: ["==", ["get", "kind"], "satellite"],
        paint: { "circle-radius": 4, "circle-color": "#1f5fa8", "circle-stroke-color": "#fff", "circle-stroke-width": 1 } },
      { id: "draft-line", type: "line", source: "draft", paint: { "line-color": "#c2185b", "line-width": 2, "line-dasharray": [2, 1] } },
      { id: "draft-points", type: "circle", source: "draft", filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 4, "circle-color": "#c2185b" } },
    ],
  },
});
map.addControl(new maplibregl.NavigationControl(), "top-left");
map.addControl(new maplibregl.ScaleControl(), "bottom-left");
window.sahelsatMap = map;

const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
function hoverLabel(layer, p) {
  if (layer === "towns") return `${p.name} (${p.country}) — ${Number(p.population).toLocaleString(lang)}`;
  if (layer === "satellites") return `${p.name} — ${p.altitude_km} km`;
  if (layer === "service") {
    const state = p.served ? `${t("served")}: ${t("dish")} ${p.dish_m} m` : t("not_served");
    return `${p.name} (${p.country}) — ${t("population")} ${Number(p.population).toLocaleString(lang)}\n` +
      `${p.satellite} — ${state}\n${t("availability")}: ${p.availability_percent} — ` +
      `${t("throughput")}: ${p.throughput_mbps} Mbit/s`;
  }
  if (layer === "coverage-fill") {
    return COVERAGE_FIGURES.map((f) => `${t(f)}: ${formatFigure(f, p[f] === undefined ? null : p[f])}`).join("\n");
  }
  return `#${p.id} ${p.name} — ${p.status}`;
}

for (const layer of ["towns", "satellites", "requests-fill", "service", "coverage-fill"]) {
  map.on("mousemove", layer, (e) => {
    if (drawing) return;
    if (layer === "towns" && map.getLayoutProperty("service", "visibility") === "visible") return;
    if (layer === "coverage-fill" && map.queryRenderedFeatures(e.point, { layers: ["service", "towns", "requests-fill"] }).length) return;
    popup.setLngLat(e.lngLat).setText(hoverLabel(layer, e.features[0].properties)).addTo(map);
  });
  map.on("mouseleave", layer, () => popup.remove());
}

// ------------------------------------------------------------------ fleet & passes
function when() {
  return $("time").value ? fromInput($("time").value) : new Date();
}

let satelliteLoads = 0;

async function loadSatellites() {
  const mine = ++satelliteLoads;  // the latest fleet or time wins over an earlier answer
  const fleet = $("fleet").value || "resource";
  const params = new URLSearchParams({ time: when().toISOString(), track_minutes: 95, max_satellites: 60 });
  try {
    const data = await api(`/api/fleets/${encodeURIComponent(fleet)}/positions?${params}`);
    if (mine !== satelliteLoads) return;
    map.getSource("tracks").setData(data);
    $("warning").textContent = data.warnings.length ? t("stale") : "";
    $("warning").title = data.warnings.join("\n");
  } catch (e) {
    if (mine !== satelliteLoads) return;
    map.getSource("tracks").setData(empty);
    $("warning").textContent = "";
    if (e.status !== 401) console.warn(e.message);
  }
}

const HOURS = 12;  // passes timeline span

let passLoads = 0;

async function loadPasses() {
  const mine = ++passLoads;
  const status = $("passes-status");
  const box = $("timeline");
  box.replaceChildren();
  status.textContent = t("loading");
  const start = when();
  const params = new URLSearchParams({ fleet: $("fleet").value || "resource", station: $("station").value,
    start: start.toISOString(), hours: HOURS, min_elevation: $("min-el").value, limit: 500 });
  let data;
  try {
    data = await api(`/api/passes?${params}`);
  } catch (e) {
    if (mine !== passLoads) return;
    status.textContent = e.status === 401 ? t("need_token") : t("unavailable", { why: e.message });
    return;
  }
  if (mine !== passLoads) return;
  status.textContent = data.items.length ? t("passes_of", { n: data.total, site: data.site.name, h: HOURS }) : t("no_passes");
  drawTimeline(box, data.items, start, HOURS);
}

function drawTimeline(box, items, start, hours) {
  const sats = [...new Set(items.map((p) => p.satellite))];
  const width = 360, left = 110, rowH = 14, height = 24 + rowH * sats.length;
  const plot = width - left - 16;  // room for the last tick's label
  const x = (iso) => left + ((new Date(iso) - start) / 3.6e6 / hours) * plot;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const add = (tag, attrs, text) => {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text) el.textContent = text;
    svg.appendChild(el);
    return el;
  };
  for (let h = 0; h <= hours; h += 3) {
    const hx = left + (h / hours) * plot;
    add("line", { x1: hx, x2: hx, y1: 12, y2: height, stroke: "#ddd" });
    add("text", { x: hx, y: 10, "text-anchor": "middle" }, `+${h}h`);
  }
  sats.forEach((name, i) => add("text", { x: 2, y: 24 + rowH * i + 9 }, name.slice(0, 18)));
  for (const p of items) {
    const row = sats.indexOf(p.satellite);
    const r = add("rect", { x: x(p.rise), y: 24 + rowH * row, width: Math.max(2, x(p.set) - x(p.rise)),
      height: rowH - 3, fill: p.max_elevation > 45 ? "#1f5fa8" : "#7fa7d6" });
    r.appendChild(document.createElementNS(ns, "title")).textContent =
      `${p.satellite}: ${shortTime(p.rise)} → ${shortTime(p.set)}, max ${p.max_elevation}°`;
  }
  box.appendChild(svg);
}

// ------------------------------------------------------------------ requests
let drawing = false;
let corners = [];
let area = null;

function showDraft() {
  const ring = area ? area.coordinates[0] : corners;
  const features = ring.map((c) => ({ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: c } }));
  if (ring.length > 1) features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: ring } });
  map.getSource("draft").setData({ type: "FeatureCollection", features });
}

$("draw").onclick = () => {
  drawing = true; corners = []; area = null;
  $("finish").disabled = false; $("clear").disabled = false;
  $("request-form").classList.add("hidden");
  map.getCanvas().style.cursor = "crosshair";
  showDraft();
};
$("clear").onclick = () => {
  drawing = false; corners = []; area = null; showDraft();
  $("finish").disabled = true; $("clear").disabled = true;
  $("request-form").classList.add("hidden");
  map.getCanvas().style.cursor = "";
};
map.on("click", (e) => {
  if (!drawing) return;
  corners.push([Number(e.lngLat.lng.toFixed(5)), Number(e.lngLat.lat.toFixed(5))]);
  showDraft();
});
$("finish").onclick = () => {
  if (corners.length < 3) {
    $("request-status").textContent = t("corners", { n: corners.length });
    return;
  }
  drawing = false;
  map.getCanvas().style.cursor = "";
  area = { type: "Polygon", coordinates: [[...corners, corners[0]]] };
  showDraft();
  $("finish").disabled = true;
  const start = when();
  $("req-start").value = utcInput(start);
  $("req-stop").value = utcInput(new Date(start.getTime() + 3 * 86400e3));
  $("request-form").classList.remove("hidden");
  $("req-name").focus();
};

$("request-form").onsubmit = async (event) => {
  event.preventDefault();
  const status = $("request-status");
  status.className = "";
  try {
    const created = await api("/api/requests", { method: "POST", json: {
      name: $("req-name").value, geometry: area, priority: Number($("req-priority").value), sensor: $("req-sensor").value,
      start: fromInput($("req-start").value).toISOString(), stop: fromInput($("req-stop").value).toISOString() } });
    status.textContent = t("created", { id: created.id });
    status.className = "ok";
    $("request-form").classList.add("hidden");
    area = null; corners = []; showDraft();
    await loadRequests();
    await showOpportunities(created.id);
  } catch (e) {
    status.textContent = e.message;
    status.className = "error";
  }
};

async function showOpportunities(id) {
  const box = $("opportunities");
  const head = () => el("h3", {}, `${t("opportunities")} — #${id}`);
  box.replaceChildren(head(), el("p", { className: "muted" }, t("loading")));
  const params = new URLSearchParams({ fleet: $("fleet").value || "resource", limit: 10 });
  try {
    const data = await api(`/api/requests/${id}/opportunities?${params}`);
    map.getSource("strips").setData({ type: "FeatureCollection", features: data.items.filter((o) => o.strip)
      .map((o) => ({ type: "Feature", properties: { satellite: o.satellite }, geometry: o.strip })) });
    if (!data.items.length) { box.replaceChildren(head(), el("p", {}, t("none"))); return; }
    const strips = data.items[0].start !== undefined;
    const columns = strips ? ["satellite", "when", "sensor", "coverage", "off_nadir"] : ["satellite", "rise", "max_el", "set"];
    const cells = (o) => (strips
      ? [o.satellite, shortTime(o.start), o.sensor, `${Math.round(100 * o.coverage)} %`, `${o.off_nadir_deg.toFixed(1)}°`]
      : [o.satellite, shortTime(o.rise), `${o.max_elevation}°`, shortTime(o.set)]);
    const table = el("table", { className: "opps", id: "opportunity-table" },
      el("tr", {}, ...columns.map((c) => el("th", {}, t(c)))),
      ...data.items.map((o) => el("tr", {}, ...cells(o).map((v) => el("td", {}, v)))));
    box.replaceChildren(head(), table, el("p", { className: "muted" }, data.method));
  } catch (e) {
    box.replaceChildren(el("p", { className: "error" }, t("unavailable", { why: e.message })));
  }
}

async function loadRequests() {
  const list = $("request-list");
  let data;
  try {
    data = await api("/api/requests?limit=50");
  } catch (e) {
    list.replaceChildren();
    map.getSource("requests").setData(empty);
    return;
  }
  map.getSource("requests").setData({ type: "FeatureCollection", features: data.items.map((r) => ({
    type: "Feature", properties: { id: r.id, name: r.name, status: r.status }, geometry: r.geometry })) });
  list.replaceChildren();
  for (const r of data.items) {
    const li = document.createElement("li");
    li.className = `status-${r.status}`;
    li.textContent = `#${r.id} ${r.name} — P${r.priority}, ${shortTime(r.start)} → ${shortTime(r.stop)} (${r.status}) `;
    li.onclick = () => { showOpportunities(r.id); map.fitBounds([[r.bbox[0], r.bbox[1]], [r.bbox[2], r.bbox[3]]], { padding: 80, maxZoom: 9 }); };
    const actions = [];
    if (r.status === "submitted" && rank >= 2) actions.push(["approve", "approve"]);
    if (r.status !== "cancelled" && (rank >= 2 || (rank === 1 && r.created_by === myId))) actions.push(["cancel", "cancel"]);
    for (const [verb, label] of actions) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = `request-${verb}`;
      b.textContent = t(label);
      b.onclick = async (ev) => {
        ev.stopPropagation();
        try { await api(`/api/requests/${r.id}/${verb}`, { method: "POST" }); } catch (e) { $("request-status").textContent = e.message; }
        loadRequests();
      };
      li.append(" ", b);
    }
    list.appendChild(li);
  }
}

let jobPoll = null;

async function loadJobs() {
  try {
    // jobs before products: a job's products are stored with its "succeeded", so when no job
    // is left running (and polling stops) the products fetched next are complete
    const jobs = await api("/api/jobs?limit=20");
    const busy = jobs.items.some((j) => j.status === "queued" || j.status === "running");
    clearTimeout(jobPoll);
    if (busy) jobPoll = setTimeout(loadJobs, 2000);  // progress comes from the API
    $("job-list").replaceChildren();
    for (const j of jobs.items) {
      const li = document.createElement("li");
      li.textContent = `#${j.id} ${j.kind}: ${j.status} ${(100 * j.progress).toFixed(0)}% ${j.message}`;
      $("job-list").appendChild(li);
    }
    const products = await api("/api/products?limit=20");
    $("product-list").replaceChildren();
    for (const p of products.items) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.textContent = `${p.name} (${(p.size_bytes / 1024).toFixed(1)} KiB)`;
      a.href = "#";
      a.onclick = async (ev) => {  // downloads need the token header
        ev.preventDefault();
        const answer = await fetch(p.download, { headers: { Authorization: `Bearer ${$("token").value.trim()}` } });
        const url = URL.createObjectURL(await answer.blob());
        Object.assign(document.createElement("a"), { href: url, download: p.name }).click();
      };
      li.appendChild(a);
      if (p.media_type === "application/geo+json") {
        const show = document.createElement("button");
        show.type = "button";
        show.className = "show-product";
        show.textContent = t("show");
        show.onclick = () => showProduct(p);
        li.append(" ", show);
      }
      $("product-list").appendChild(li);
    }
  } catch (e) { /* needs a token */ }
}

async function showProduct(p) {
  const data = await api(p.download);
  map.getSource("product").setData(data);
  const box = new maplibregl.LngLatBounds();
  const visit = (c) => (typeof c[0] === "number" ? box.extend(c) : c.forEach(visit));
  (data.features || [data]).forEach((f) => visit((f.geometry || f).coordinates || []));
  if (!box.isEmpty()) map.fitBounds(box, { padding: 60, maxZoom: 10 });
}

// ------------------------------------------------------------------ coverage & service layers
const COVERAGE_FIGURES = ["percent_covered", "mean_gap_s", "max_gap_s"];
const RAMPS = {  // colour ramps, low value first
  percent_covered: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
  gap: ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"],
};
const NEVER = "#4a1d3f";
// purples: apart from both coverage ramps, so towns stay readable over the heat map
const DISH_COLOURS = { 0.6: "#3f007d", 0.75: "#6a51a3", 0.9: "#807dba", 1.2: "#bcbddc", 1.8: "#dadaeb", 2.4: "#f7f4ff" };
const UNSERVED = "#5c5c5c";
let coverageGrid = null;
let serviceData = null;

function formatFigure(figure, v) {
  if (v === null) return t("never");
  if (figure === "percent_covered") return `${Number(v).toFixed(v < 10 ? 1 : 0)} %`;
  if (v < 3600) return `${Math.round(v / 60)} min`;
  return `${(v / 3600).toFixed(v < 36000 ? 1 : 0)} h`;
}

function coverageStops(figure) {
  const range = coverageGrid.ranges[figure];
  const ramp = figure === "percent_covered" ? RAMPS.percent_covered : RAMPS.gap;
  if (!range) return { ramp, stops: [] };
  const [lo, hi] = range;
  const stops = hi > lo ? ramp.map((_, i) => lo + ((hi - lo) * i) / (ramp.length - 1)) : [lo];
  return { ramp, stops };
}

class LegendControl {
  onAdd() {
    this.box = document.createElement("div");
    this.box.id = "legend";
    this.box.className = "maplibregl-ctrl legend hidden";
    return this.box;
  }
  onRemove() { this.box.remove(); }
}
const legend = new LegendControl();
map.addControl(legend, "bottom-right");

// a legend block: its title, then one row per [mark class, colour, border, label]
function legendBlock(id, title, rows) {
  const block = el("div", { className: "legend-block", id }, el("b", {}, title));
  for (const [kind, colour, border, label] of rows) {
    const mark = el("span", { className: kind });
    mark.style.background = colour;  // CSSOM, which the CSP allows (style attributes it does not)
    if (border) mark.style.border = border;
    block.append(el("br"), mark, label);
  }
  return block;
}

function drawLegend() {
  const box = $("legend");
  if (!box) return;
  const parts = [];
  const covOn = $("cov-show") && $("cov-show").checked && coverageGrid;
  if (covOn) {
    const figure = $("cov-figure").value;
    const { ramp, stops } = coverageStops(figure);
    const rows = stops.map((v, i) => ["swatch", ramp[i], null, formatFigure(figure, v)]);
    if (figure !== "percent_covered" && coverageGrid.cells.some((c) => c[2 + coverageGrid.figures.indexOf(figure)] === null))
      rows.push(["swatch", NEVER, null, t("never")]);
    parts.push(legendBlock("legend-coverage", t(figure), rows));
  }
  if ($("svc-show") && $("svc-show").checked && serviceData) {
    const rows = serviceData.dishes_m.map((d) => ["dot", DISH_COLOURS[d] || "#999", "1px solid #1b1b1b", d]);
    if (serviceData.summary.served < serviceData.summary.settlements)
      rows.push(["dot", UNSERVED, "2px solid #b2182b", t("not_served")]);
    parts.push(legendBlock("legend-service", t("legend_dish"), rows));
  }
  box.replaceChildren(...parts);
  box.classList.toggle("hidden", parts.length === 0);
}

function paintCoverage() {
  if (!coverageGrid) return;
  const figure = $("cov-figure").value;
  const { ramp, stops } = coverageStops(figure);
  let colour = stops.length > 1
    ? ["interpolate", ["linear"], ["to-number", ["get", figure]], ...stops.flatMap((v, i) => [v, ramp[i]])]
    : ramp[0];
  colour = ["case", ["==", ["get", figure], null], NEVER, colour];
  map.setPaintProperty("coverage-fill", "fill-color", colour);
  drawLegend();
}

function gridFeatures(grid) {
  const h = grid.resolution_deg / 2;
  return { type: "FeatureCollection", features: grid.cells.map(([lat, lon, ...values]) => ({
    type: "Feature", properties: Object.fromEntries(grid.figures.map((f, i) => [f, values[i]])),
    geometry: { type: "Polygon", coordinates: [[[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h], [lon - h, lat - h]]] },
  })) };
}

let coveragePoll = null;

async function loadCoverage(jobId = null) {
  const status = $("cov-status");
  if (!$("cov-show").checked) { map.setLayoutProperty("coverage-fill", "visibility", "none"); drawLegend(); return; }
  try {
    coverageGrid = await api(`/api/coverage/map${jobId ? `?job_id=${jobId}` : ""}`);
  } catch (e) {
    coverageGrid = null;
    map.getSource("coverage").setData(empty);
    status.textContent = e.status === 404 ? t("cov_none") : e.status === 401 ? t("need_token") : t("unavailable", { why: e.message });
    drawLegend();
    return;
  }
  map.getSource("coverage").setData(gridFeatures(coverageGrid));
  map.setLayoutProperty("coverage-fill", "visibility", "visible");
  status.textContent = t("cov_of", { id: coverageGrid.job_id, fleet: coverageGrid.fleet, area: coverageGrid.area,
    start: shortTime(coverageGrid.start), stop: shortTime(coverageGrid.stop), res: coverageGrid.resolution_deg, el: coverageGrid.min_elevation });
  paintCoverage();
}

async function computeCoverage() {
  const status = $("cov-status");
  try {
    const job = await api("/api/jobs", { method: "POST", json: { kind: "coverage", params: {
      fleet: $("fleet").value || "resource", area: "AES", resolution_deg: 0.25, start: when().toISOString(),
      hours: 24, step_s: 60, min_elevation: 25 } } });
    $("cov-show").checked = true;
    const poll = async () => {
      const j = await api(`/api/jobs/${job.id}`);
      status.textContent = t("cov_running", { id: j.id, status: j.status, pct: Math.round(100 * j.progress) });
      if (j.status === "succeeded") loadCoverage(j.id);
      else if (j.status === "queued" || j.status === "running") coveragePoll = setTimeout(poll, 1500);
      else status.textContent += ` — ${j.message}`;
    };
    clearTimeout(coveragePoll);
    poll();
  } catch (e) {
    status.textContent = e.message;
  }
}

let serviceLoads = 0;

async function loadService() {
  const mine = ++serviceLoads;
  const status = $("svc-status");
  if (!$("svc-show").checked) { map.setLayoutProperty("service", "visibility", "none"); drawLegend(); return; }
  status.textContent = t("svc_wait");
  const params = new URLSearchParams({ band: $("svc-band").value, availability: $("svc-availability").value });
  let data;
  try {
    data = await api(`/api/settlements/service?${params}`);
  } catch (e) {
    if (mine !== serviceLoads) return;
    serviceData = null;
    map.getSource("service").setData(empty);
    status.textContent = e.status === 401 ? t("need_token") : t("unavailable", { why: e.message });
    drawLegend();
    return;
  }
  if (mine !== serviceLoads) return;
  serviceData = data;
  map.getSource("service").setData(data);
  const colour = ["case", ["!", ["get", "served"]], UNSERVED,
    ["match", ["to-string", ["get", "dish_m"]], ...Object.entries(DISH_COLOURS).flatMap(([d, c]) => [String(Number(d)), c]), "#999"]];
  map.setPaintProperty("service", "circle-color", colour);
  map.setLayoutProperty("service", "visibility", "visible");
  const s = data.summary;
  status.textContent = t("svc_of", { served: s.served, n: s.settlements, people: s.population_served.toLocaleString(lang),
    total: s.population.toLocaleString(lang), band: data.band.toUpperCase(), avail: data.availability_percent, rate: data.throughput_mbps });
  drawLegend();
}

async function loadFleets() {
  try {
    const data = await api("/api/fleets");
    const current = $("fleet").value;
    const stored = (data.ages || []).map((a) => a.fleet).filter((f) => !data.catalogues.includes(f));
    const options = data.catalogues.concat(stored).map((f) => [f, f])
      .concat(data.uploads.map((u) => [u.fleet, `${u.fleet}: ${u.name}`]));
    $("fleet").replaceChildren(...options.map(([value, label]) => el("option", { value }, label)));
    $("fleet").value = options.some(([v]) => v === current) ? current : "resource";
    drawAges(data.ages || []);
  } catch (e) { drawAges([]); /* needs a token */ }
}

// each fleet's element sets: source, fetch time, epochs and age (all inserted as text)
function drawAges(ages) {
  const day = (iso) => (iso ? iso.slice(0, 10) : "");
  const rows = ages.map((a) => el("tr", {},
    el("td", {}, a.fleet),
    el("td", { title: a.source }, a.fetched_at ? a.source : t("age_shipped")),
    el("td", {}, a.fetched_at ? shortTime(a.fetched_at) : "—"),
    el("td", {}, a.epoch_min ? `${day(a.epoch_min)} … ${day(a.epoch_max)}` : "—"),
    el("td", { className: a.age_days > 7 ? "old" : "" }, a.age_days ?? "—")));
  const head = el("tr", {}, ...["age_fleet", "age_source", "age_fetched", "age_epochs", "age_days"].map((k) => el("th", {}, t(k))));
  $("ages").replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  $("age-refresh").classList.toggle("hidden", rank < RANKS.operator);
}

async function refreshFleets() {
  try {
    const answer = await api("/api/fleets/refresh", { method: "POST", json: {} });
    $("age-status").textContent = t(answer.new ? "age_started" : "age_running", { id: answer.job });
    loadJobs();
  } catch (e) {
    $("age-status").textContent = t("unavailable", { why: e.message });
  }
}

// ------------------------------------------------------------------ wiring
const RANKS = { viewer: 0, requester: 1, operator: 2, admin: 3 };
let rank = -1;  // the token's role rank (-1: none)
let myId = null;
let refreshes = 0;  // a later refresh wins over an earlier one still in flight

async function refresh() {
  const mine = ++refreshes;
  let who = "";
  try {
    const me = await api("/api/whoami");
    who = me.role ? `${me.name} (${me.role})` : "";
    if (mine === refreshes) { rank = me.role ? RANKS[me.role] : -1; myId = me.id ?? null; }
  } catch (e) {
    who = e.status === 401 ? t("need_token") : "";
    if (mine === refreshes) { rank = -1; myId = null; }
  }
  if (mine !== refreshes) return;
  $("who").textContent = who;
  await loadFleets();
  await Promise.all([loadSatellites(), loadPasses(), loadRequests(), loadJobs(), loadCoverage(), loadService()]);
}

async function init() {
  applyLanguage();
  $("time").value = utcInput(new Date());
  $("token").value = localStorage.getItem("sahelsat.token") || "";
  const stations = await (await fetch("/api/places/stations")).json();
  $("station").replaceChildren(...stations.map((s) => el("option", { value: s.name }, s.name)));
  $("fleet").replaceChildren(...["resource", "weather", "geo", "oneweb", "starlink"].map((f) => el("option", { value: f }, f)));
  $("token").onchange = () => { localStorage.setItem("sahelsat.token", $("token").value.trim()); refresh(); };
  $("lang").onclick = () => { lang = lang === "en" ? "fr" : "en"; localStorage.setItem("sahelsat.lang", lang); applyLanguage(); drawLegend(); refresh(); };
  for (const id of ["time", "fleet"]) $(id).onchange = refresh;
  for (const id of ["station", "min-el"]) $(id).onchange = loadPasses;
  $("cov-show").onchange = () => loadCoverage();
  $("cov-figure").onchange = paintCoverage;
  $("cov-compute").onclick = computeCoverage;
  $("age-refresh").onclick = refreshFleets;
  for (const id of ["svc-show", "svc-band", "svc-availability"]) $(id).onchange = loadService;
  $("schedule").onclick = async () => {
    try {
      await api("/api/jobs", { method: "POST", json: { kind: "passes", params: {
        fleet: $("fleet").value || "resource", station: $("station").value, start: when().toISOString(),
        days: 7, min_elevation: Number($("min-el").value) } } });
      document.querySelector(".tab[data-tab=jobs]").click();
    } catch (e) {
      $("passes-status").textContent = e.message;
    }
  };
  document.querySelectorAll(".tab").forEach((tab) => {
    tab.onclick = () => {
      document.querySelectorAll(".tab").forEach((x) => x.classList.toggle("active", x === tab));
      document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("hidden", p.id !== `tab-${tab.dataset.tab}`));
      if (tab.dataset.tab === "jobs") loadJobs();
    };
  });
  if (map.loaded()) await refresh(); else map.on("load", refresh);
}

init();
