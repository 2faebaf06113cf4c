// Draws the dashboard charts from the JSON the view embeds (#dashboard-data).
(function () {
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const palette = ["#417690", "#d64541", "#79aec8", "#f5a623", "#5cb85c", "#9b59b6", "#34495e", "#e67e22",
                   "#16a085", "#c0392b", "#7f8c8d", "#2c3e50"];

  function chart(id, config) {
    const canvas = document.getElementById(id);
    if (canvas && window.Chart) { new Chart(canvas, config); }
  }

  chart("revenueChart", {
    type: "bar",
    data: { labels: data.revenue.labels, datasets: [
      { label: "Revenue", data: data.revenue.revenue, backgroundColor: palette[0] },
      { label: "Failed payments", data: data.revenue.failed, backgroundColor: palette[1] },
      { label: "Refunded", data: data.revenue.refunded, backgroundColor: palette[3] } ] },
  });
  chart("retentionChart", {
    type: "line",
    data: { labels: data.retention.labels, datasets: data.retention.cohorts.map((c, i) => (
      { label: c.label, data: c.data, borderColor: palette[i % palette.length], spanGaps: false, fill: false })) },
    options: { scales: { x: { title: { display: true, text: "months after joining" } },
                         y: { min: 0, max: 100, title: { display: true, text: "% retained" } } } },
  });
  chart("fillChart", {
    type: "bar",
    data: { labels: data.fill.labels, datasets: [{ label: "Fill rate %", data: data.fill.fill_pct,
                                                   backgroundColor: palette[2] }] },
    options: { indexAxis: "y", scales: { x: { min: 0, max: 100 } } },
  });
  chart("equipmentChart", {
    type: "bar",
    data: { labels: data.equipment.labels, datasets: [{ label: "Utilization %", data: data.equipment.utilization_pct,
                                                        backgroundColor: palette[4] }] },
  });
  chart("laborChart", {
    type: "bar",
    data: { labels: data.labor.labels, datasets: [
      { label: "Hours", data: data.labor.hours, backgroundColor: palette[0], yAxisID: "y" },
      { label: "Overtime hours", data: data.labor.overtime_hours, backgroundColor: palette[3], yAxisID: "y" },
      { label: "Cost", data: data.labor.cost, type: "line", borderColor: palette[1], yAxisID: "cost" } ] },
    options: { scales: { y: { position: "left" }, cost: { position: "right", grid: { drawOnChartArea: false } } } },
  });
})();
