// The charts of the warning statistics, from the JSON the page carries (no inline script).
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const charts = [];
  const draw = (id, option) => {
    const box = document.getElementById(id);
    if (!box) return;
    const chart = echarts.init(box);
    chart.setOption(option);
    box.dataset.drawn = "1";
    charts.push(chart);
  };
  const towns = document.getElementById("chart-towns");
  draw("chart-towns", {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 10, bottom: 70 },
    xAxis: { type: "category", data: data.towns, axisLabel: { rotate: 40, interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: towns && towns.dataset.label, type: "bar", data: data.town_counts, itemStyle: { color: "#b02a37" } }],
  });
  draw("chart-rules", {
    tooltip: { trigger: "axis" },
    grid: { left: 150, right: 20, top: 10, bottom: 30 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.rules, inverse: true, axisLabel: { width: 140, overflow: "truncate" } },
    series: [{ type: "bar", data: data.rule_counts, itemStyle: { color: "#dc6b2f" } }],
  });
  const colours = ["#e0b000", "#e8750a", "#c0392b"];
  draw("chart-levels", {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{
      type: "pie", radius: ["40%", "70%"],
      data: data.levels.map((name, i) => ({ name, value: data.level_counts[i], itemStyle: { color: colours[i] } })),
    }],
  });
  const trend = document.getElementById("chart-trend");
  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: {},
    grid: { left: 40, right: 10, bottom: 40 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: trend && trend.dataset.raised, type: "line", data: data.raised, itemStyle: { color: "#b02a37" } },
      { name: trend && trend.dataset.closed, type: "line", data: data.closed, itemStyle: { color: "#198754" } },
    ],
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
});
