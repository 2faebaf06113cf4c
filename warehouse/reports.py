"""Reports: the analytics views, read in a stable order and rendered as a
text table, CSV or JSON (seed 003's `run_all_reports`)."""
import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from .analytics import VIEWS

ORDER_BY = {
    "peak_usage_analysis": "facility_id, day_of_week, hour_of_day",
    "equipment_utilization_report": "facility_id, equipment_type, equipment_id",
    "member_retention_metrics": "cohort_month",
    "revenue_by_month": "month, facility_id, membership_type_id",
    "class_fill_rates": "class_type_id, day_of_week, start_time, instructor_id",
    "instructor_effectiveness": "instructor_id",
    "labor_cost_overtime": "facility_id, month",
    "certification_compliance": "instructor_id, certification_id, expiry_date",
}
REPORT_NAMES = list(VIEWS)
FORMATS = ("table", "csv", "json")


@dataclass
class Report:
    name: str
    columns: list
    rows: list

    def as_dicts(self):
        return [dict(zip(self.columns, row)) for row in self.rows]


class UnknownReport(ValueError):
    pass


def run_report(name, where="", params=None):
    """Rows of one view; `where` an optional SQL condition on its columns."""
    if name not in VIEWS:
        raise UnknownReport(f"Unknown report {name!r}. Choose from: {', '.join(REPORT_NAMES)}.")
    sql = f"SELECT * FROM {name}" + (f" WHERE {where}" if where else "") + f" ORDER BY {ORDER_BY[name]}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        columns = [col[0] for col in cursor.description]
        rows = [tuple(normalise(value) for value in row) for row in cursor.fetchall()]
    return Report(name, columns, rows)


def normalise(value):
    """Same Python types from both databases: money and ratios as Decimal
    rounded as the view rounded them (SQLite hands back floats)."""
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(Decimal("0.01"))
    return value


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def render_table(report):
    header = [report.columns] + [[as_text(v) for v in row] for row in report.rows]
    widths = [max(len(line[i]) for line in header) for i in range(len(report.columns))]
    lines = [f"== {report.name} ({len(report.rows)} rows) =="]
    for index, line in enumerate(header):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n"


def render_csv(report):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(report.columns)
    writer.writerows([as_text(v) for v in row] for row in report.rows)
    return buffer.getvalue()


def json_ready(report):
    return [{k: (None if v is None else v if isinstance(v, (int, bool)) else as_text(v)) for k, v in row.items()}
            for row in report.as_dicts()]


def render(reports, fmt):
    if fmt == "json":
        return json.dumps({r.name: json_ready(r) for r in reports}, indent=2) + "\n"
    if fmt == "csv":
        # Several reports in one CSV stream: each preceded by a "# name" line.
        if len(reports) == 1:
            return render_csv(reports[0])
        return "\n".join(f"# {r.name}\n{render_csv(r)}" for r in reports)
    return "\n".join(render_table(r) for r in reports)
