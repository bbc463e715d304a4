// sahelsat operations map: the connectivity design layer (GET /api/design/layers): the
// default scenario's spot beams by reuse colour with their capacity, or the people served
// per region, and what they rest on. EN / FR. Data is always inserted as text
// (textContent), never as HTML; no inline script or style (the page's CSP).
"use strict";

(() => {
  const WORDS = {
    en: {
      title: "Designed HTS (connectivity design)", layer: "Layer", beams: "Spot beams (capacity)",
      regions: "People served per region", wait: "Computing the design (some seconds)…",
      of: "{design}: {beams} beams, {cap} Gbit/s for {demand} Gbit/s of busy-hour demand; {served} of {pop} people served at {speed} Mbit/s",
      beam: "Beam {beam} (colour {colour}): capacity {cap} Mbit/s, demand {demand} Mbit/s, {people} people served",
      region: "{region} ({country}): {served} of {pop} people served, {share} % of demand",
      click: "Click a beam or region for its figures.", need_token: "Enter an API token to see the design.",
      unavailable: "Not available: {why}",
    },
    fr: {
      title: "Satellite à haut débit conçu (connectivité)", layer: "Couche", beams: "Faisceaux (capacité)",
      regions: "Personnes servies par région", wait: "Calcul de la conception (quelques secondes)…",
      of: "{design} : {beams} faisceaux, {cap} Gbit/s pour {demand} Gbit/s de demande à l’heure chargée ; {served} personnes servies sur {pop} à {speed} Mbit/s",
      beam: "Faisceau {beam} (couleur {colour}) : capacité {cap} Mbit/s, demande {demand} Mbit/s, {people} personnes servies",
      region: "{region} ({country}) : {served} personnes servies sur {pop}, {share} % de la demande",
      click: "Cliquez sur un faisceau ou une région pour ses chiffres.", need_token: "Saisissez un jeton d’API pour voir la conception.",
      unavailable: "Indisponible : {why}",
    },
  };
  const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
  const say = (key, vars = {}) => {
    const words = WORDS[document.documentElement.lang] || WORDS.en;
    return (words[key] || WORDS.en[key]).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? "–"));
  };
  const num = (v, digits = 0) => (typeof v === "number" && Number.isFinite(v)
    ? v.toLocaleString(document.documentElement.lang, { maximumFractionDigits: digits }) : "–");
  const node = (id) => document.getElementById(id);
  const emptyLayer = { type: "FeatureCollection", features: [] };
  let data = null;
  let loads = 0;

  function words() {
    node("design-title").textContent = say("title");
    node("design-layer-label").textContent = say("layer");
    node("design-opt-beams").textContent = say("beams");
    node("design-opt-regions").textContent = say("regions");
    describe();
  }

  function describe() {
    if (!data) return;
    const s = data.summary;
    node("design-status").textContent = say("of", { design: data.design, beams: s.beams,
      cap: num(s.capacity_gbps, 1), demand: num(s.offered_gbps, 1), served: num(s.people_served),
      pop: num(s.population), speed: num(s.target_speed_mbps) });
    node("design-source").textContent = data.rests_on[document.documentElement.lang] || data.rests_on.en;
    node("design-info").textContent = say("click");
  }

  function addLayers() {
    if (map.getSource("design-beams")) return;
    map.addSource("design-beams", { type: "geojson", data: emptyLayer });
    map.addSource("design-regions", { type: "geojson", data: emptyLayer });
    map.addLayer({ id: "design-regions", type: "fill", source: "design-regions", layout: { visibility: "none" },
      paint: { "fill-color": ["interpolate", ["linear"],
        ["/", ["get", "people_served"], ["max", ["get", "population"], 1]], 0, "#fee5d9", 0.05, "#fcae91", 0.2, "#fb6a4a", 1, "#99000d"],
      "fill-opacity": 0.7, "fill-outline-color": "#555" } }, "towns");
    map.addLayer({ id: "design-beams", type: "fill", source: "design-beams", layout: { visibility: "none" },
      paint: { "fill-color": ["match", ["%", ["get", "colour"], COLOURS.length],
        ...COLOURS.flatMap((c, i) => [i, c]), "#999"], "fill-opacity": 0.35, "fill-outline-color": "#333" } }, "towns");
    for (const id of ["design-beams", "design-regions"]) {
      map.on("click", id, (e) => {
        const p = e.features[0].properties;
        node("design-info").textContent = id === "design-beams"
          ? say("beam", { beam: p.beam, colour: p.colour, cap: num(p.capacity_mbps), demand: num(p.offered_mbps), people: num(p.people_served) })
          : say("region", { region: p.region, country: p.country, served: num(p.people_served), pop: num(p.population),
            share: num(100 * (p.served_share ?? NaN), 1) });
      });
    }
  }

  function paint() {
    const show = node("design-show").checked;
    const which = node("design-layer").value;
    for (const name of ["beams", "regions"]) {
      map.setLayoutProperty(`design-${name}`, "visibility", show && which === name ? "visible" : "none");
    }
  }

  async function load() {
    addLayers();
    paint();
    if (!node("design-show").checked || data) return;
    const mine = ++loads;
    node("design-status").textContent = say("wait");
    try {
      const answer = await api("/api/design/layers");
      if (mine !== loads) return;
      data = answer;
      map.getSource("design-beams").setData(answer.layers.beams);
      map.getSource("design-regions").setData(answer.layers.regions);
      describe();
    } catch (e) {
      if (mine !== loads) return;
      node("design-status").textContent = e.status === 401 ? say("need_token") : say("unavailable", { why: e.message });
    }
  }

  words();
  new MutationObserver(words).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  node("design-show").addEventListener("change", load);
  node("design-layer").addEventListener("change", load);
  if (map.loaded()) addLayers(); else map.on("load", addLayers);
})();
