"""The clinic's outcomes report: aggregates only, never a patient's record."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ipt.course.models import EndReason
from ipt.initial.models import ProblemArea
from ipt.outcomes import compute
from ipt.outcomes.forms import OutcomesFilterForm
from ipt.outcomes.rows import course_rows, referrals

BAR_WIDTH = 300  # the charts' longest bar, in SVG units


def _report(request):
    if not request.user.reads_outcomes:
        raise PermissionDenied("The outcomes report is for the clinic lead and supervisors.")
    form = OutcomesFilterForm(request.GET or None)
    filters = form.filters()
    rows = course_rows(
        filters["start"],
        filters["end"],
        therapist=filters["therapist"],
        supervisor=filters["supervisor"],
        variant=filters["variant"],
        area=filters["area"],
    )
    # Below clinic level: a person or a problem area chosen. (The variant is a model of care.)
    below = bool(filters["therapist"] or filters["supervisor"] or filters["area"])
    return form, filters, rows, below


def _bars(items):
    """A horizontal bar chart drawn as inline SVG: its height and a bar per item."""
    top = max((v for _, v in items if v is not None), default=0) or 1
    bars = [
        {
            "label": label,
            "value": value,
            "width": round(BAR_WIDTH * (value or 0) / top),
            "y": i * 28,
        }
        for i, (label, value) in enumerate(items)
    ]
    return {"height": max(28 * len(bars), 28), "bars": bars}


@require_GET
def report(request):
    form, filters, rows, below = _report(request)
    summary = compute.summarise(rows, suppress=below)
    quarters = compute.by_quarter(rows, suppress=True)
    referred = referrals(
        filters["start"],
        filters["end"],
        therapist=filters["therapist"],
        supervisor=filters["supervisor"],
    )
    funnel = compute.funnel(referred, rows)
    reasons = dict(EndReason.choices)
    context = {
        "form": form,
        "filters": filters,
        "below": below,
        "small_cell": compute.SMALL_CELL,
        "summary": summary,
        "outcomes": [(label, summary.outcomes[key]) for key, label in compute.OUTCOMES],
        "ended": [(reasons.get(k, k), n) for k, n in sorted(summary.ended_by_reason.items())],
        "quarters_table": [
            (q, s, [s.outcomes[key] for key, _ in compute.OUTCOMES]) for q, s in quarters
        ],
        "quarter_bars": _bars([(q, s.outcomes["reliable_recovery"].percent) for q, s in quarters]),
        "outcome_labels": [label for _, label in compute.OUTCOMES],
        "funnel": funnel,
        "funnel_bars": _bars(funnel),
        "by_area": [
            (label, s, [s.outcomes[k] for k, _ in compute.OUTCOMES])
            for label, s in compute.by_area(rows, ProblemArea.Area.choices)
        ],
        "by_adherence": [
            (label, s, [s.outcomes[k] for k, _ in compute.OUTCOMES])
            for label, s in compute.by_adherence(rows)
        ],
        "focal": compute.focal_first(rows, suppress=below),
        "query": request.GET.urlencode(),
    }
    return render(request, "ipt/outcomes/report.html", context)


CSV_HEADER = (
    ["group", "started", "completed", "ended early", "paired PHQ-9s"]
    + [f"{label} (n)" for _, label in compute.OUTCOMES]
    + [
        "denominator",
        "sessions with a PHQ-9 (%)",
        "median sessions",
        "median days to first session",
    ]
)


def _csv_row(group, s):
    def shown(value):
        return "" if value is None else value

    hidden = s.suppressed
    return [
        group,
        f"<{compute.SMALL_CELL}" if hidden else s.started,
        "" if hidden else s.completed,
        "" if hidden else s.ended_early,
        "" if s.paired.suppressed else s.paired.count,
        *("" if r.suppressed else r.count for r in s.outcomes.values()),
        "" if s.paired.suppressed else s.paired.count,
        shown(None if s.sessions_measured.percent is None else round(s.sessions_measured.percent)),
        shown(s.median_sessions),
        shown(s.median_days_to_first),
    ]


@require_GET
def report_csv(request):
    _, filters, rows, below = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"outcomes-{filters['start']:%Y-%m-%d}-{filters['end']:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerow(_csv_row("All courses", compute.summarise(rows, suppress=below)))
    for q, s in compute.by_quarter(rows, suppress=True):
        writer.writerow(_csv_row(f"Started {q}", s))
    for label, s in compute.by_area(rows, ProblemArea.Area.choices):
        writer.writerow(_csv_row(f"Problem area: {label}", s))
    for label, s in compute.by_adherence(rows):
        writer.writerow(_csv_row(label, s))
    return response
