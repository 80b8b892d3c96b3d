// Draws the execution chart from the JSON the page embeds with json_script (no inline scripts: CSP).
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("funds-chart-data");
  const box = document.getElementById("chart-towns");
  if (!source || !box || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(box);
  chart.setOption({
    title: { text: box.dataset.title, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 70, right: 50, top: 40, bottom: 80 },
    xAxis: { type: "category", data: data.towns, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: [{ type: "value" }, { type: "value", min: 0, max: 100 }],
    series: [
      { name: box.dataset.allocated, type: "bar", data: data.allocated, color: "#e0a526" },
      { name: box.dataset.paid, type: "bar", data: data.paid, color: "#9b1c1c" },
      { name: box.dataset.rate, type: "line", yAxisIndex: 1, data: data.rates, color: "#2b6cb0" },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
});
