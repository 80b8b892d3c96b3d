// Found, rectified and overdue problems per group, from the JSON the page carries (no inline script).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("chart");
  const source = document.getElementById("chart-data");
  if (!box || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: {},
    grid: { left: 40, right: 10, bottom: 60 },
    xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 30 } },
    yAxis: { type: "value" },
    series: [
      { name: box.dataset.found, type: "bar", data: data.found },
      { name: box.dataset.closed, type: "bar", data: data.closed },
      { name: box.dataset.overdue, type: "bar", data: data.overdue, itemStyle: { color: "#b02a37" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
});
