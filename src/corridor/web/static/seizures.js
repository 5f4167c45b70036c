// Seizure analytics page: the seizure API's layers over the offline base map (needs workbench.js).
"use strict";
// The three layers of the seizure API over the offline base map; the page's filters apply to them.
const CEN_COLOURS = { drugs: "#c0392b", precursors: "#8e44ad", tobacco: "#b9770e", alcohol: "#d4ac0d", weapons: "#2c3e50",
  strategic: "#1f618d", currency: "#1e8449", wildlife: "#17a589", counterfeit: "#e67e22", other: "#7f8c8d" };
document.addEventListener("DOMContentLoaded", async () => {
  const element = document.getElementById("cen-map");
  const map = await corridorBaseMap(element);
  const query = element.dataset.query ? "?" + element.dataset.query : "";
  const get = async (layer, extra) => (await fetch(`/seizures/map/${layer}.geojson${query}${query ? "&" : "?"}${extra || ""}`)).json();
  const [points, flows, hexagons] = await Promise.all([get("points"), get("flows"), get("hexagons", "resolution=5")]);
  const maxHex = Math.max(1, ...hexagons.features.map((f) => f.properties.seizures));
  const hexLayer = L.geoJSON(hexagons, {
    style: (f) => ({ color: "#7b241c", weight: 0.5, fillColor: "#e74c3c", fillOpacity: 0.15 + 0.7 * Math.sqrt(f.properties.seizures / maxHex) }),
    onEachFeature: (f, item) => item.bindTooltip(`${f.properties.seizures}`),
  });
  const maxFlow = Math.max(1, ...flows.features.map((f) => f.properties.seizures));
  const flowLayer = L.geoJSON(flows, {
    style: (f) => ({ color: CEN_COLOURS[f.properties.top_category] || "#7f8c8d", weight: 1 + 7 * f.properties.seizures / maxFlow, opacity: 0.75 }),
    onEachFeature: (f, item) => item.bindTooltip(`${f.properties.route}: ${f.properties.seizures}`),
  });
  const pointLayer = L.geoJSON(points, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 4, weight: 1, color: "#fff", fillColor: CEN_COLOURS[f.properties.category] || "#7f8c8d", fillOpacity: 0.9 }),
    onEachFeature: (f, item) => item.bindTooltip(`${f.properties.ref} · ${f.properties.date} · ${f.properties.commodity_type} ${f.properties.quantity} ${f.properties.unit}`),
  });
  hexLayer.addTo(map); flowLayer.addTo(map);
  L.control.layers(null, { [element.dataset.hexagons]: hexLayer, [element.dataset.flows]: flowLayer, [element.dataset.points]: pointLayer }, { collapsed: false }).addTo(map);
  // The corridors around the Caspian, not the whole world: a single long route (cocaine from Brazil)
  // would otherwise zoom the map out until the hexagons vanish.
  const bounds = hexLayer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds.pad(2.5), { maxZoom: 6 }); } else { map.setView([40.5, 53], 4); }
});
