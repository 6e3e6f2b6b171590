"""The steps of the initial phase as the course page lists them."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    summary: str
    url: str
    blocking: str = ""  # a clinical reason this step currently blocks the course


def initial_phase_steps(course):
    """The initial phase step by step (IPT-REFERENCE.md, "Initial phase"): each step's
    state, a line saying what is recorded, where to do it, and what blocks it clinically."""
    url = lambda name: reverse(f"course:{name}", args=[course.pk])  # noqa: E731
    suitability = course._one("suitability")
    diagnosis = course._one("diagnosis")
    sick_role = course._one("sick_role")
    formulation = course._one("formulation")
    baseline = course.baseline_phq9
    risks = course.risk.open_signals
    inventory = list(course.inventory.all())
    events = list(course.life_events.all())
    areas = list(course.problem_areas.all())
    contract = course.current_contract

    if suitability is None:
        suit_summary, suit_block = "Not yet screened.", ""
    elif suitability.passed:
        suit_summary, suit_block = "No contraindication found.", ""
    elif suitability.overridden:
        suit_summary = "Contraindication overridden: " + suitability.override_reason
        suit_block = ""
    else:
        suit_summary = "Contraindicated: " + ", ".join(suitability.contraindications).lower()
        suit_block = "Stabilisation comes first; record a reasoned override to go on with IPT."

    if diagnosis and baseline:
        diag_summary = (
            f"{diagnosis.summary}. Baseline PHQ-9 {baseline.total} ({baseline.band.label.lower()})."
        )
    elif diagnosis:
        diag_summary = f"{diagnosis.summary}. No baseline PHQ-9 yet."
    else:
        diag_summary = "Not yet recorded."
    if risks:
        diag_summary += " Risk assessment needed."

    steps = [
        Step(
            "suitability",
            "Suitability screen",
            bool(suitability and suitability.cleared),
            suit_summary,
            url("suitability"),
            suit_block,
        ),
        Step(
            "diagnosis",
            "Diagnosis and baseline PHQ-9",
            bool(diagnosis and baseline and not risks),
            diag_summary,
            url("diagnosis"),
        ),
        Step(
            "sick_role",
            "Sick role",
            sick_role is not None,
            f"Given on {sick_role.given_on:%-d %b %Y}." if sick_role else "Not yet given.",
            url("sick_role"),
        ),
        Step(
            "inventory",
            "Interpersonal inventory",
            bool(inventory),
            f"{len(inventory)} {'person' if len(inventory) == 1 else 'people'}."
            if inventory
            else "No one added yet.",
            url("inventory"),
        ),
        Step(
            "timeline",
            "Timeline",
            bool(events),
            f"{len(events)} event{'s' if len(events) != 1 else ''}."
            if events
            else "No events yet.",
            url("timeline"),
        ),
        Step(
            "problem_areas",
            "Problem areas",
            bool(areas),
            ", ".join(a.get_area_display() for a in areas) + "." if areas else "Not yet chosen.",
            url("problem_areas"),
        ),
        Step(
            "formulation",
            "Interpersonal formulation",
            bool(formulation and formulation.text.strip()),
            "Written." if formulation and formulation.text.strip() else "Not yet written.",
            url("formulation"),
        ),
        Step(
            "contract",
            "Treatment contract",
            bool(contract and contract.is_signed),
            (
                f"Version {contract.version}, signed {contract.patient_signed_on:%-d %b %Y}."
                if contract and contract.is_signed
                else (
                    f"Version {contract.version}, not yet signed."
                    if contract
                    else "Not yet drafted."
                )
            ),
            url("contract"),
        ),
    ]
    return steps
