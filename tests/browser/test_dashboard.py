"""The analytics dashboard in a real browser: every Chart.js chart draws and the page logs no error."""
import pytest

from .support import PlaywrightTimeout, expect, log_in

pytestmark = pytest.mark.usefixtures("warehouse_built")
DASHBOARD = "/admin/warehouse/etlbatch/dashboard/"
CANVASES = ["revenueChart", "retentionChart", "fillChart", "equipmentChart", "laborChart"]

# Per canvas: its size, whether Chart.js holds a chart on it, how many values its datasets carry, and
# whether any pixel differs from a blank canvas of the same size.
CHART_STATE_JS = """
(ids) => Object.fromEntries(ids.map((id) => {
  const canvas = document.getElementById(id);
  if (!canvas) { return [id, null]; }
  const blank = document.createElement("canvas");
  blank.width = canvas.width;
  blank.height = canvas.height;
  const chart = window.Chart ? window.Chart.getChart(canvas) : undefined;
  const values = chart ? chart.data.datasets.flatMap((dataset) => dataset.data).filter((v) => v !== null) : [];
  return [id, {width: canvas.width, height: canvas.height, chart: Boolean(chart), values: values.length,
               drawn: canvas.width > 0 && canvas.height > 0 && canvas.toDataURL() !== blank.toDataURL()}];
}))
"""
ALL_DRAWN_JS = f"(ids) => Object.values(({CHART_STATE_JS})(ids)).every((state) => state && state.drawn)"


def test_every_chart_draws_without_console_errors(page, live_server, superuser):
    log_in(page, live_server, superuser.username)
    page.goto(live_server.url + DASHBOARD)
    expect(page.locator("#peak-heatmap")).to_be_visible()
    try:
        page.wait_for_function(ALL_DRAWN_JS, arg=CANVASES, timeout=10_000)
    except PlaywrightTimeout:  # the assertions below name the chart that did not draw
        pass
    states = page.evaluate(CHART_STATE_JS, CANVASES)
    for canvas in CANVASES:
        state = states[canvas]
        assert state is not None, f"no canvas #{canvas}"
        assert state["chart"] and state["drawn"], f"#{canvas} did not draw: {state}"
        assert state["values"] > 0, f"#{canvas} has no data: {state}"
    assert page.console_errors == []
