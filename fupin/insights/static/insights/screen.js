// The 大屏: fetches the area's figures every N seconds, fills the headline tiles, colours the tile map by
// the chosen figure and redraws the side charts. The 1920×1080 stage is scaled to fit any window.
(function () {
  "use strict";

  const WAN = 10000;

  function fmt(value, digits) {
    if (value === null || value === undefined || value === "") return "—";
    return Number(value).toLocaleString("zh-CN", { minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0 });
  }

  function tiles(overview, labels) {
    const found = [];
    const h = overview.households, p = overview.projects, f = overview.funds, b = overview.benefits;
    const q = overview.problems, l = overview.lectures, w = overview.warnings;
    if (h) found.push([labels.registered, fmt(h.registered), "户"], [labels.poor, fmt(h.poor), "户"]);
    if (p) found.push([labels.projects, fmt(p.count), "个"]);
    if (f) found.push([labels.allocated, fmt(f.allocated / WAN, 2), "万元"], [labels.rate, fmt(f.rate, 1), "%"]);
    if (b) found.push([labels.dividends, fmt(b.dividends / WAN, 2), "万元"], [labels.employed, fmt(b.employed), "人"]);
    if (q) found.push([labels.clearance, fmt(q.clearance_rate, 1), "%"], [labels.overdue, fmt(q.overdue), "个"]);
    if (l) found.push([labels.lectures, fmt(l.people), "人次"]);
    if (w) found.push([labels.warnings, fmt(w.open), "条"]);
    return found;
  }

  function fillHeadline(overview, labels) {
    const box = document.getElementById("headline-tiles");
    box.replaceChildren(...tiles(overview, labels).map(([label, value, unit]) => {
      const tile = document.createElement("div");
      tile.className = "tile-figure";
      const v = document.createElement("div");
      v.className = "value";
      v.textContent = value;
      const u = document.createElement("span");
      u.className = "unit";
      u.textContent = unit;
      v.append(u);
      const t = document.createElement("div");
      t.className = "label";
      t.textContent = label;
      tile.append(v, t);
      return tile;
    }));
    const list = document.getElementById("sentences");
    list.replaceChildren(...overview.sentences.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    document.getElementById("area-name").textContent = overview.name;
  }

  // From deep blue (low) to gold (high); a rate reads the same way.
  function colour(share) {
    const from = [22, 58, 102], to = [240, 180, 41];
    const mix = from.map((c, i) => Math.round(c + (to[i] - c) * share));
    return `rgb(${mix[0]},${mix[1]},${mix[2]})`;
  }

  function fillMap(map) {
    const values = {};
    if (map) map.codes.forEach((code, i) => { values[code] = map.values[i]; });
    const numbers = Object.values(values).filter((v) => v !== null && v !== undefined);
    const low = numbers.length ? Math.min(...numbers) : 0, high = numbers.length ? Math.max(...numbers) : 0;
    document.querySelectorAll(".tile").forEach((tile) => {
      const value = values[tile.dataset.code];
      const known = value !== null && value !== undefined;
      const share = known && high > low ? (value - low) / (high - low) : known ? 1 : 0;
      tile.querySelector("rect").style.fill = known ? colour(share) : "#12233d";
      tile.querySelector(".tile-value").textContent = known ? `${fmt(value, map.unit === "%" || map.unit === "万元" ? 1 : 0)} ${map.unit}` : "—";
      tile.classList.toggle("bright", known && share > 0.6);
    });
    const legend = document.getElementById("legend");
    const digits = map && (map.unit === "%" || map.unit === "万元") ? 1 : 0;
    legend.textContent = map ? `${map.label}：${fmt(low, digits)} — ${fmt(high, digits)} ${map.unit}` : "";
  }

  function fit(stage) {
    const scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    stage.style.transform = `scale(${scale})`;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const stage = document.getElementById("stage");
    const labels = document.getElementById("labels").dataset;
    const figure = document.getElementById("figure");
    let charts = [];
    fit(stage);
    window.addEventListener("resize", () => { fit(stage); charts.forEach((c) => c.resize()); });

    async function refresh() {
      const url = new URL(stage.dataset.url, window.location.href);
      url.searchParams.set("region", stage.dataset.region);
      if (figure && figure.value) url.searchParams.set("figure", figure.value);
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok) throw new Error(String(response.status));
        const data = await response.json();
        fillHeadline(data.overview, labels);
        fillMap(data.map);
        document.getElementById("now").textContent = data.now;
        document.querySelectorAll(".side-chart").forEach((box) => {
          const name = box.querySelector("[data-chart]").dataset.chart;
          box.hidden = !data.charts[name];
        });
        charts = window.fupinCharts.drawAll(document, data.charts, true);
        stage.dataset.loaded = "true";
      } catch (error) {
        document.getElementById("now").textContent = labels.failed;
      }
    }

    if (figure) figure.addEventListener("change", refresh);
    refresh();
    window.setInterval(refresh, Number(stage.dataset.refresh || 60) * 1000);
  });
})();
