// Corridor workbench: maps drawn by Leaflet over the packaged country boundaries (no tile server).
"use strict";

const LANE_COLOURS = { red: "#c0392b", yellow: "#d4a017", green: "#2e8b57", blue: "#2c6fbb", none: "#8a94a3" };

async function corridorBaseMap(element) {
  // A view first: Leaflet cannot add layers to a map that has no centre and zoom yet.
  const map = L.map(element, { zoomSnap: 0.5, attributionControl: true, worldCopyJump: true }).setView([40.4, 49.9], 5);
  map.attributionControl.addAttribution("Natural Earth");
  const response = await fetch("/geo/countries.geojson");
  const countries = await response.json();
  L.geoJSON(countries, {
    style: { color: "#7d8a99", weight: 0.7, fillColor: "#f2efe6", fillOpacity: 1 },
    interactive: false,
  }).addTo(map);
  return map;
}

function laneColour(lane) { return LANE_COLOURS[lane] || LANE_COLOURS.none; }

async function corridorRouteMap(element) {
  const data = JSON.parse(element.dataset.route);
  const map = await corridorBaseMap(element);
  const points = data.stops.filter((s) => s.lat !== null && s.lon !== null);
  const latlngs = points.map((s) => [s.lat, s.lon]);
  if (latlngs.length > 1) {
    L.polyline(latlngs, { color: laneColour(data.lane), weight: 3, dashArray: "6 4" }).addTo(map);
  }
  points.forEach((s) => {
    L.circleMarker([s.lat, s.lon], { radius: 6, color: "#0b4f6c", fillColor: "#fff", fillOpacity: 1, weight: 2 })
      .bindTooltip(`${s.label}: ${s.name} (${s.locode})`).addTo(map);
  });
  if (latlngs.length > 0) { map.fitBounds(L.latLngBounds(latlngs).pad(0.4), { maxZoom: 7 }); }
  else { map.setView([40.4, 49.9], 5); }
}

async function corridorOverviewMap(element) {
  const map = await corridorBaseMap(element);
  const response = await fetch(element.dataset.source);
  const data = await response.json();
  const layer = L.geoJSON(data, {
    style: (f) => ({ color: laneColour(f.properties.lane), weight: 1 + Math.min(4, f.properties.count / 5), opacity: 0.75 }),
    pointToLayer: (f, latlng) => L.circleMarker(latlng, {
      radius: f.properties.kind === "seizure" ? 7 : 6,
      color: f.properties.kind === "seizure" ? "#c0392b" : "#0b4f6c",
      fillColor: f.properties.kind === "seizure" ? "#c0392b" : "#fff", fillOpacity: 0.9, weight: 2,
    }),
    onEachFeature: (f, item) => item.bindTooltip(f.properties.label),
  }).addTo(map);
  if (data.features.length > 0) { map.fitBounds(layer.getBounds().pad(0.2), { maxZoom: 7 }); }
}

async function corridorSeaMap(element) {
  // The maritime API's GeoJSON layers, drawn in order: zones under tracks under platforms and events.
  const map = await corridorBaseMap(element);
  const styles = {
    zones: { color: "#e67e22", weight: 1, fillOpacity: 0.15 },
    tracks: { color: "#2c6fbb", weight: 1.5, opacity: 0.7 },
  };
  const bounds = L.latLngBounds([]);
  for (const layer of ["zones", "tracks", "platforms", "events"]) {
    const response = await fetch(`/maritime/map/${layer}`);
    if (!response.ok) { continue; }
    const data = await response.json();
    const drawn = L.geoJSON(data, {
      style: () => styles[layer] || {},
      pointToLayer: (f, latlng) => L.circleMarker(latlng, layer === "events"
        ? { radius: 7, color: "#c0392b", fillColor: "#c0392b", fillOpacity: 0.85, weight: 2 }
        : { radius: 4, color: "#111", fillColor: "#111", fillOpacity: 1, weight: 1 }),
      onEachFeature: (f, item) => {
        const p = f.properties || {};
        const label = [p.kind, p.name, p.vessel, p.summary].filter((v) => v).join(" · ");
        if (label) { item.bindTooltip(label); }
      },
    }).addTo(map);
    if (layer !== "zones" && drawn.getLayers().length > 0) { bounds.extend(drawn.getBounds()); }
  }
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.2), { maxZoom: 9 }); }
  else { map.setView([40.2, 50.6], 7); }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-sea]").forEach((el) => corridorSeaMap(el));
  document.querySelectorAll("[data-route]").forEach((el) => corridorRouteMap(el));
  document.querySelectorAll("[data-overview]").forEach((el) => corridorOverviewMap(el));
});
