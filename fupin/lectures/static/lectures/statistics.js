// Draws the statistics charts from the JSON the page embeds with json_script.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("lecture-chart-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const charts = [];

  const months = document.getElementById("chart-months");
  if (months) {
    const chart = echarts.init(months);
    chart.setOption({
      title: { text: months.dataset.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 40, right: 40, top: 40, bottom: 70 },
      xAxis: { type: "category", data: data.months },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1 }],
      series: [
        { name: months.dataset.requested, type: "bar", stack: "n", data: data.requested, color: "#9b1c1c" },
        { name: months.dataset.team, type: "bar", stack: "n", data: data.team, color: "#e0a526" },
        { name: months.dataset.people, type: "line", yAxisIndex: 1, data: data.people, color: "#2b6cb0" },
      ],
    });
    charts.push(chart);
  }

  const lecturers = document.getElementById("chart-lecturers");
  if (lecturers) {
    const chart = echarts.init(lecturers);
    chart.setOption({
      title: { text: lecturers.dataset.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 40, right: 40, top: 40, bottom: 80 },
      xAxis: { type: "category", data: data.lecturers, axisLabel: { rotate: 45, interval: 0 } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 5 }],
      series: [
        { name: lecturers.dataset.delivered, type: "bar", data: data.delivered, color: "#9b1c1c" },
        { name: lecturers.dataset.score, type: "line", yAxisIndex: 1, data: data.scores, color: "#2b6cb0" },
      ],
    });
    charts.push(chart);
  }
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
});
