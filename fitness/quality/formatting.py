"""Human-readable rendering of a check_ods result document."""
import textwrap

STATUS_LABELS = {"pass": "ok", "fail": "FAIL", "error": "ERROR"}
REALISM_LABELS = {"pass": "ok", "warn": "WARN", "n/a": "n/a"}
DESCRIPTION_WIDTH = 70
NOTE_WIDTH = 90
SAMPLES_SHOWN = 3


def _samples(check):
    keys = check["sample_keys"][:SAMPLES_SHOWN]
    more = check["count"] - len(keys)
    text = ", ".join(keys)
    return text + (f" (+{more} more)" if more > 0 else "")


def _table(headers, rows):
    widths = [max(len(str(value)) for value in column) for column in zip(headers, *rows)]
    line = "  ".join("{:<%d}" % width for width in widths)
    out = [line.format(*headers), line.format(*("-" * width for width in widths))]
    out += [line.format(*(str(value) for value in row)) for row in rows]
    return "\n".join(out)


def format_checks(document):
    rows = [
        (
            check["id"],
            check["table"],
            STATUS_LABELS[check["status"]],
            check["count"],
            _samples(check) if check["status"] != "error" else check.get("error", "")[:60],
            textwrap.shorten(check["description"], DESCRIPTION_WIDTH, placeholder=" ..."),
        )
        for check in document["checks"]
    ]
    return _table(("rule", "table", "status", "count", "sample keys", "description"), rows)


def format_completeness(document):
    rows = [
        (table, entry["total_records"], f"{entry['completeness_score']:.2f}%",
         ", ".join(f"{column}={n}" for column, n in entry["missing_values"].items() if n)[:80])
        for table, entry in document["completeness"].items()
    ]
    return _table(("table", "rows", "complete", "null values"), rows)


def format_failures(document):
    """Full sample keys and descriptions of the failing rules."""
    blocks = []
    for check in document["checks"]:
        if check["status"] == "pass":
            continue
        lines = [f"{check['id']} ({check['table']}): {check['count']} violation(s)"]
        lines += textwrap.wrap(check["description"], 100, initial_indent="  ", subsequent_indent="  ")
        if check.get("error"):
            lines.append(f"  error: {check['error']}")
        if check["sample_keys"]:
            lines.append("  sample keys: " + ", ".join(check["sample_keys"]))
        if check.get("details"):
            lines.append("  details: " + ", ".join(f"{k}={v}" for k, v in check["details"].items()))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def format_value(result):
    """A measure's value for people: numbers with their unit, text as it is, n/a as a dash."""
    value = result["value"]
    if value is None:
        return "-"
    if isinstance(value, (int, float)):
        return f"{value}{result.get('unit', '')}"
    return str(value)


def format_realism(measures):
    rows = [
        (result["id"], result["title"], format_value(result), result["range"], REALISM_LABELS[result["status"]],
         textwrap.shorten(result["note"] or "", NOTE_WIDTH, placeholder=" ..."))
        for result in measures
    ]
    return _table(("id", "measure", "value", "range", "status", "note"), rows)


def realism_summary(measures):
    statuses = [result["status"] for result in measures]
    return (f"Realism: {statuses.count('pass')} pass, {statuses.count('warn')} warn, "
            f"{statuses.count('n/a')} n/a")


def format_report(document):
    context, stats = document["context"], document["statistics"]
    parts = [
        f"ODS data quality as of {context['as_of']}, window {context['window_start']} .. {context['window_end']}"
        f" ({context['window_source']}), {context['database']}",
        "",
        format_checks(document),
    ]
    failures = format_failures(document)
    if failures:
        parts += ["", failures]
    if "realism" in document:
        parts += ["", "Realism (realism.md)", format_realism(document["realism"]), realism_summary(document["realism"])]
    parts += ["", "Completeness", format_completeness(document), ""]
    verdict = "PASS" if document["success"] else "FAIL"
    parts.append(
        f"{verdict}: {stats['checks_passed']} passed, {stats['checks_failed']} failed, "
        f"{stats['checks_errored']} errored, {stats['violations']} violation(s); "
        f"{stats['rows']} rows in {stats['tables']} tables checked in {stats['duration']:.2f} s"
        + (f"; saved as run {document['run_id']}" if document.get("run_id") else "")
    )
    return "\n".join(parts)
