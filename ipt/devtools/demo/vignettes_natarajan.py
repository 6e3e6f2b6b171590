"""Priya Natarajan's caseload (`therapist2`), as README.md "Demo clinic" tells it.

Tom Whitaker (just started), Grace Adeyemi (brief IPT, not improving, a missed session, an
item 9 of 1 whose risk assessment is still to be written), Kwame Mensah (completed, not
improved, referred on), Olivia Grant (dropped out) and Hannah Kowalski (overdue).
"""

from datetime import timedelta

from ipt.course.models import EndReason, Variant
from ipt.devtools.demo import builders
from ipt.initial.models import ProblemArea


def tom(patient, by):
    """Long-isolated graduate student: just started, suitability screened."""
    return builders.open_course(patient, by, 2)


def grace(patient, by):
    """Conflict with her mother after moving home: middle phase, not improving, one session missed."""
    course = builders.open_course(
        patient, by, 38, variant=Variant.BRIEF
    )  # 8 sessions, initial phase 2
    mum = _grace_initial_phase(course)
    sessions = builders.plan_sessions(course, 38)
    _grace_sessions(course, sessions, by, mum)
    return course


def _grace_initial_phase(course):
    """Diagnosis, sick role, inventory, timeline, the dispute and the formulation; returns Mum."""
    builders.diagnose(course, onset=240, on=38, episode="recurrent")
    builders.give_sick_role(course, 38, "Cooking for the whole household every night.")
    people = builders.add_people(
        course,
        [("Mum (Folake)", "mother", 1, {"conflicts_resolve": "rarely"}), ("Kunle", "brother", 2),
         ("Dele", "ex-partner", 3)],
    )  # fmt: skip
    builders.add_events(
        course,
        [(300, "Dele leaves", "loss", "Dele"), (260, "Moves back in with her parents", "move"),
         (240, "Mood drops, stops seeing friends", "symptom_onset"),
         (60, "Row with Mum about coming home late", "conflict", "Mum (Folake)")],
        people,
    )  # fmt: skip
    builders.add_area(
        course, ProblemArea.Area.ROLE_DISPUTE,
        "Repeated rows with her mother about living at home keep her low.",
        person=people["Mum (Folake)"], dispute_stage="impasse",
    )  # fmt: skip
    builders.formulate(course)
    return people["Mum (Folake)"]


def _grace_sessions(course, sessions, by, mum):
    builders.hold(
        sessions[0],
        by,
        phq9=[2, 2, 1, 2, 1, 2, 1, 1, 0],
        mood_context="Low since the move home; rows with Mum most weeks.",
    )
    builders.hold(
        sessions[1],
        by,
        mood=3,
        notes="Role dispute with her mother agreed as the focus; contract signed.",
    )
    builders.sign_contract(course, by, 31)
    builders.enter_middle(course, by, sessions[1])
    builders.hold(
        sessions[2],
        by,
        phq9=[2, 2, 2, 2, 1, 2, 1, 1, 0],
        techniques=["communication_analysis"],
        events=[
            (
                mum,
                "Mum criticised her for sleeping late; Grace shouted and left the house.",
                "Furious, then hopeless.",
                True,
            )
        ],
        analysis=(
            mum,
            "Saturday morning, kitchen, Dad present.",
            "Mum: 'At your age I had two children.' Grace: 'Well I'm not you!'",
            "That she is doing her best.",
            "Mum heard rejection; she cried later.",
            "",
            False,
        ),
        homework=(
            "Ask Mum for a time to talk about house rules, when neither is tired.",
            mum,
            "not_done",
            "Did not find a good moment; felt it would start another row.",
        ),
    )
    builders.miss(sessions[3], "Did not attend; replied to a text that she 'could not face it'.")
    builders.hold(
        sessions[4],
        by,
        # Item 9 scored 1 and the note is still open: the risk assessment is not yet written,
        # so the course carries a risk flag for the therapist and the supervisor.
        phq9=[2, 2, 1, 2, 1, 2, 2, 1, 1],
        techniques=["exploratory_questions", "encouragement_of_affect"],
        mood_context="No change; avoiding Mum; staying in her room. Said she sometimes wishes she could just disappear.",
        focal_notes="The dispute looks stuck at impasse: expectations not yet spoken about at all.",
        finalise=False,
    )


def kwame(patient, by):
    """Dispute with his brother: not improved, referred on."""
    course, sessions = builders.run_course(
        patient, by, weeks_ago=15, area=ProblemArea.Area.ROLE_DISPUTE,
        people=[("Kofi", "brother", 1), ("Ama", "wife", 1), ("Dad", "father", 2)],
        scores=[17, 17, 16, 17, 16, 16, 15, 16, 15, 16, 15, 15], person=True, dispute_stage="impasse",
        rationale="Conflict with Kofi over their father's care keeps him low.",
    )  # fmt: skip
    builders.terminate(
        course, by, sessions, 10,
        helped="Naming the dispute; one calm call with Kofi.",
        further="Referred to the GP for a medication review and to the psychology service for CBT; "
        "discussed with supervisor.",
        triggers=[("Decisions about Dad's care", "Withdrawing, drinking more", "Write down what he wants before calls", "Ama")],
    )  # fmt: skip
    return course


def olivia(patient, by):
    """A first job in a new city: dropped out after four sessions."""
    course, sessions = builders.run_course(
        patient, by, weeks_ago=9, area=ProblemArea.Area.INTERPERSONAL_DEFICITS,
        people=[("Mum", "mother", 1), ("Jess", "flatmate", 3)], scores=[15, 14, 15, 14],
        rationale="Few close ties since moving; finds it hard to start friendships.",
    )  # fmt: skip
    course.end_early(by, EndReason.DROP_OUT, sessions[3].scheduled_for.date() + timedelta(days=14),
                     note="Did not attend sessions 5 and 6; a letter offering to restart was sent.")  # fmt: skip
    return course


def hannah(patient, by):
    """Grief for her mother: middle phase, but no session for three weeks (overdue)."""
    course, _ = builders.run_course(
        patient, by, weeks_ago=7, area=ProblemArea.Area.GRIEF,
        people=[("Mother (Irena)", "mother, died", 1, {"deceased": True}), ("Piotr", "husband", 1)],
        scores=[14, 13, 13, 12, 12], person=True, date_of_death=builders.days_ago(150),
        rationale="Mourning stalled since her mother died in the winter.",
    )  # fmt: skip
    # The last two planned sessions passed without being recorded: the course is overdue.
    return course
