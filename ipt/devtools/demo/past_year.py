"""The clinic's past year: courses that closed over the last twelve months, so that the
outcomes report (ipt/outcomes/) has every figure to show, at clinic level and in its tables
by quarter and by problem area (cells of 5 or more).

Each row is one patient and one course, told by its PHQ-9 totals alone (first and last: the
outcome; the sessions between fall or rise in steps), with what the report reads in its
comment. The people are only their referral; their courses run through the same builders as
the vignettes, so nothing here is a record the app would refuse.
"""

from datetime import date, timedelta

from ipt.course.models import EndReason
from ipt.devtools.demo import builders
from ipt.initial.models import ProblemArea
from patients.models import Patient

GRIEF = ProblemArea.Area.GRIEF
DISPUTE = ProblemArea.Area.ROLE_DISPUTE
TRANSITION = ProblemArea.Area.ROLE_TRANSITION
DEFICITS = ProblemArea.Area.INTERPERSONAL_DEFICITS

# (full name, therapist, area, weeks ago the course started, first PHQ-9, last PHQ-9, how it
# ended: "completed" or an EndReason with the sessions held before it).
COURSES = [
    # Response, remission, reliable improvement and recovery (a case, below 5 at the end).
    ("Ellen Forsyth", "therapist", GRIEF, 46, 19, 4, "completed"),
    ("Jonah Abbott", "therapist2", DISPUTE, 44, 17, 3, "completed"),
    ("Priti Sharma", "therapist", TRANSITION, 40, 16, 4, "completed"),
    ("Callum Reid", "therapist2", DEFICITS, 38, 15, 4, "completed"),
    ("Beatriz Lopes", "therapist", DISPUTE, 34, 20, 3, "completed"),
    ("Niamh Doyle", "therapist2", GRIEF, 30, 18, 2, "completed"),
    ("Farid Haddad", "therapist", TRANSITION, 27, 14, 4, "completed"),
    ("Rosa Lindqvist", "therapist2", DISPUTE, 22, 16, 3, "completed"),
    # Reliable improvement and recovery, response, but not remission (below 10, not below 5).
    ("George Mwangi", "therapist", GRIEF, 45, 18, 8, "completed"),
    ("Harriet Cole", "therapist2", TRANSITION, 36, 19, 9, "completed"),
    ("Imran Qureshi", "therapist", DEFICITS, 29, 16, 7, "completed"),
    ("Josie Pearce", "therapist2", DISPUTE, 24, 15, 7, "completed"),
    # Reliable improvement, still a case: no recovery, no response.
    ("Kofi Boateng", "therapist", DISPUTE, 42, 22, 15, "completed"),
    ("Laura Bianchi", "therapist2", GRIEF, 33, 21, 14, "completed"),
    ("Magnus Olsen", "therapist", TRANSITION, 20, 20, 13, "completed"),
    # Reliable improvement from below caseness: remission, not recovery (never a case).
    ("Nadia Rahimi", "therapist2", DEFICITS, 41, 9, 2, "completed"),
    # No reliable change.
    ("Oscar Whitfield", "therapist", GRIEF, 35, 14, 12, "completed"),
    ("Petra Novak", "therapist2", DEFICITS, 26, 13, 12, "completed"),
    ("Quentin Hale", "therapist", DISPUTE, 19, 12, 10, "completed"),
    # Reliable deterioration.
    ("Ruby Ashworth", "therapist2", TRANSITION, 39, 9, 16, "completed"),
    ("Stefan Kowal", "therapist", DEFICITS, 31, 11, 18, "completed"),
    # Ended early, one for each reason.
    ("Tamsin Gray", "therapist", GRIEF, 43, 17, 16, (EndReason.DROP_OUT, 4)),
    ("Uma Patel", "therapist2", DISPUTE, 37, 18, 17, (EndReason.DROP_OUT, 3)),
    ("Victor Ibe", "therapist", DEFICITS, 32, 21, 19, (EndReason.REFERRAL, 5)),
    ("Wendy Marsh", "therapist2", TRANSITION, 28, 23, 20, (EndReason.HOSPITALISATION, 4)),
    ("Yusuf Demir", "therapist", GRIEF, 25, 16, 15, (EndReason.OTHER, 3)),
]
SESSIONS = 12
ENDING_NOTES = {
    EndReason.DROP_OUT: "Stopped attending; a letter offering to restart was sent.",
    EndReason.REFERRAL: "Referred to the community mental health team for a longer treatment.",
    EndReason.HOSPITALISATION: "Admitted to the acute ward; the course closed on admission.",
    EndReason.OTHER: "Moved abroad for work; the GP has the summary.",
}
# The focal people of each area (the first is the one grieved for, or the other in a dispute).
PEOPLE = {
    GRIEF: [("Alan", "husband (died)", 1, {"deceased": True}), ("Beth", "daughter", 1)],
    DISPUTE: [("Chris", "partner", 1), ("Dee", "friend", 2)],
    TRANSITION: [("Eve", "sister", 1), ("Fran", "colleague", 3)],
    DEFICITS: [("Gail", "neighbour", 3), ("Hal", "brother", 2)],
}


def scores(first, last, held):
    """PHQ-9 totals for ``held`` sessions, from ``first`` to ``last`` in even steps."""
    if held == 1:
        return [first]
    return [round(first + (last - first) * i / (held - 1)) for i in range(held)]


def seed(staff, created):
    for number, (name, therapist, area, weeks, first, last, ending) in enumerate(COURSES):
        by = staff[therapist]
        patient, new = Patient.objects.get_or_create(
            therapist=by,
            full_name=name,
            defaults={
                "date_of_birth": date(1960 + number * 17 % 41, 1 + number % 12, 1 + number % 27),
                "phone": f"07700 900{number + 600:03d}",
                "emergency_contact_name": "Next of kin",
                "emergency_contact_phone": f"07700 900{number + 700:03d}",
                "referral_source": "Riverside GP Practice",
                "referral_reason": "Low mood for several months.",
            },
        )
        if new:
            created.append(f"patient {name}")
        if patient.courses.exists():
            continue
        _course(patient, by, area, weeks, first, last, ending)
        created.append(f"course for {name}")


def backdate_referrals():
    """A referral comes before its first session: each demo patient's record (the referral's
    day, to the outcomes report) is dated two to five weeks before their first course began,
    as if made when the referral arrived. Only records made after that day are moved."""
    for patient in Patient.objects.filter(courses__isnull=False).distinct():
        first = patient.courses.order_by("start_date").first().start_date
        received = first - timedelta(days=14 + 7 * (patient.pk % 4))
        if patient.created_at.date() > received:
            Patient.objects.filter(pk=patient.pk).update(
                created_at=patient.created_at.replace(
                    year=received.year, month=received.month, day=received.day
                )
            )


def _course(patient, by, area, weeks, first, last, ending):
    completed = ending == "completed"
    held = SESSIONS if completed else ending[1]
    extra = {
        GRIEF: {"person": True, "date_of_death": builders.days_ago(weeks * 7 + 60)},
        DISPUTE: {"person": True, "dispute_stage": "renegotiation"},
        TRANSITION: {"from_role": "the old role", "to_role": "the new one"},
    }.get(area, {})
    course, sessions = builders.run_course(
        patient, by, weeks_ago=weeks, area=area, people=PEOPLE[area],
        scores=scores(first, last, held), rationale="Low since the change in the focal area.",
        **extra,
    )  # fmt: skip
    if completed:
        builders.terminate(
            course, by, sessions, SESSIONS - 2, helped="Talking with the people who matter.",
            further="" if last <= first - 6 or last * 2 <= first
            else "Referred back to the GP to consider medication and a further treatment.",
            triggers=[("A hard week", "Sleeping badly", "Call a friend; book a booster", "Family")],
        )  # fmt: skip
    else:
        reason = ending[0]
        on = sessions[held - 1].scheduled_for.date() + timedelta(days=14)
        course.end_early(by, reason, on, note=ENDING_NOTES[reason])
    return course
