// Draws every chart of the workbench and the dashboards from the JSON the page embeds (json_script; no
// inline scripts: CSP). A click on a bar or slice opens the list it stands for; the toolbox saves a picture.
(function () {
  "use strict";

  const PALETTE = ["#9b1c1c", "#e0a526", "#2b6cb0", "#2f855a", "#805ad5", "#dd6b20", "#4a5568", "#d53f8c"];

  function option(data, box, dark) {
    const text = dark ? "#cfe3ff" : "#333";
    const save = { show: true, title: box.dataset.save || "", name: data.title, pixelRatio: 2 };
    const base = {
      color: data.colors && data.colors.length ? data.colors : PALETTE,
      textStyle: { color: text },
      toolbox: dark ? { show: false } : { right: 4, top: 0, feature: { saveAsImage: save } },
      tooltip: { trigger: data.type === "pie" ? "item" : "axis", confine: true },
      legend: { bottom: 0, type: "scroll", textStyle: { color: text } },
    };
    if (!data.labels.length) {
      return { ...base, title: { text: box.dataset.empty || "", left: "center", top: "middle",
        textStyle: { color: "#999", fontSize: 14, fontWeight: "normal" } } };
    }
    if (data.type === "pie") {
      const serie = data.series[0];
      return {
        ...base,
        series: [{
          name: serie.name, type: "pie", radius: ["35%", "62%"], center: ["50%", "46%"],
          label: { color: text, formatter: "{b}\n{c}" },
          data: data.labels.map((label, i) => ({ name: label, value: serie.data[i] })),
        }],
      };
    }
    const right = data.series.some((s) => s.axis === 1);
    const narrow = box.clientWidth < 480;
    return {
      ...base,
      grid: { left: 8, right: right ? 8 : 16, top: 34, bottom: 34, containLabel: true },
      xAxis: {
        type: "category", data: data.labels,
        axisLabel: { color: text, interval: 0, rotate: data.labels.length > (narrow ? 4 : 8) ? 35 : 0,
          width: 90, overflow: "truncate" },
      },
      yAxis: [
        { type: "value", name: data.axes[0] || "", nameTextStyle: { color: text }, axisLabel: { color: text },
          splitLine: { lineStyle: { color: dark ? "#22406a" : "#eee" } } },
        ...(right ? [{ type: "value", name: data.axes[1] || "", nameTextStyle: { color: text },
          axisLabel: { color: text }, splitLine: { show: false } }] : []),
      ],
      series: data.series.map((s) => ({
        name: s.name, type: s.type === "line" ? "line" : "bar", data: s.data, yAxisIndex: right ? s.axis : 0,
        stack: s.stack || undefined, barMaxWidth: 36,
        connectNulls: false, itemStyle: s.color ? { color: s.color } : undefined,
      })),
    };
  }

  function draw(box, data, dark) {
    const chart = echarts.getInstanceByDom(box) || echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option(data, box, dark), true);
    chart.off("click");
    chart.on("click", (params) => {
      const url = (data.links || [])[params.dataIndex];
      if (url) window.location.href = url;
    });
    return chart;
  }

  function drawAll(root, store, dark) {
    const drawn = [];
    root.querySelectorAll("[data-chart]").forEach((box) => {
      const data = store[box.dataset.chart];
      if (data) drawn.push(draw(box, data, dark));
    });
    return drawn;
  }

  window.fupinCharts = { draw, drawAll };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
      select.addEventListener("change", () => select.form.submit());
    });
    const source = document.getElementById("chart-data");
    if (!source || !window.echarts) return;
    const drawn = drawAll(document, JSON.parse(source.textContent), false);
    window.addEventListener("resize", () => drawn.forEach((chart) => chart.resize()));
  });
})();
