"""Sam Reyes's caseload (`therapist`), as README.md "Demo clinic" tells it.

Daniel Moreno (middle phase, improving), Margaret Ellis (contract drafted, not signed), Aisha
Rahman (PHQ-9 item 9 positive, risk assessed), Robert Chen (completed, remitted) and Sofia
Marin (completed, improved, maintenance follow-ups planned).
"""

from ipt.devtools.demo import builders
from ipt.initial.contract import TreatmentContract
from ipt.initial.models import ProblemArea
from ipt.measures.models import RiskAssessment
from ipt.termination.models import MaintenanceContract


def daniel(patient, by):
    """Laid off, in conflict with his wife: in the middle phase, six sessions held, improving."""
    course = builders.open_course(patient, by, 38)
    people = _daniel_initial_phase(course)
    sessions = builders.plan_sessions(course, 38)
    _daniel_initial_sessions(sessions, by, people)
    builders.sign_contract(course, by, 24)
    builders.enter_middle(course, by, sessions[2], note="Contract signed in session 3.")
    _daniel_middle_sessions(sessions, by, people)
    return course


def _daniel_initial_phase(course):
    """Diagnosis, sick role, inventory, timeline, two problem areas and the formulation."""
    builders.diagnose(course, onset=130, on=38)
    builders.give_sick_role(
        course, 38,
        "Organising the family's weekend visits; the job search is paced to two applications a week.",
        "Coming every week, trying the agreed action each week, telling Maria when he is struggling.",
    )  # fmt: skip
    people = builders.add_people(
        course,
        [
            ("Maria", "wife", 1, {"what_like": "Warm, practical, worried about money.",
                                  "conflicts": "Rows about money and him being at home all day.",
                                  "conflicts_resolve": "rarely", "knows_about_depression": "partly",
                                  "would_change": "Talk without it turning into a row."}),
            ("Lucia", "daughter, 14", 1, {"knows_about_depression": "no"}),
            ("Rosa", "sister", 2, {"can_discuss": "Almost anything.", "knows_about_depression": "yes"}),
            ("Kev", "former colleague", 3, {"time_together": "Five-a-side on Thursdays, stopped since the job went."}),
        ],
    )  # fmt: skip
    builders.add_events(
        course,
        [
            (150, "Restructuring announced at work", "role_change"),
            (120, "Made redundant after 14 years", "role_change"),
            (110, "Low mood and poor sleep begin", "symptom_onset"),
            (80, "First big row with Maria about money", "conflict", "Maria"),
            (60, "Stopped playing football with Kev", "loss", "Kev"),
            (30, "Mood worse after a rejected job application", "symptom_worsening"),
        ],
        people,
    )
    builders.add_area(
        course, ProblemArea.Area.ROLE_TRANSITION,
        "The depression began weeks after the redundancy; he has lost his role, routine and colleagues.",
        from_role="warehouse manager", to_role="job seeker at home",
    )  # fmt: skip
    builders.add_area(
        course, ProblemArea.Area.ROLE_DISPUTE,
        "Arguments with Maria about money keep the low mood going; both still want to sort it out.",
        person=people["Maria"], dispute_stage="renegotiation",
    )  # fmt: skip
    builders.formulate(course, shared_on=builders.days_ago(24))
    return people


def _daniel_initial_sessions(sessions, by, people):
    maria, rosa = people["Maria"], people["Rosa"]
    builders.hold(
        sessions[0],
        by,
        phq9=[2, 2, 2, 2, 1, 2, 2, 1, 0],
        mood_context="Flat most days since the redundancy; sleeps badly and avoids Maria in the evenings.",
        notes="Diagnosis explained as an illness; sick role agreed. Began the inventory.",
    )
    builders.hold(
        sessions[1],
        by,
        mood=4,
        mood_context="A little brighter after telling Rosa about the depression.",
        events=[
            (
                rosa,
                "Told Rosa he has depression; she was kind and offered to help with CVs.",
                "Relieved, a bit embarrassed.",
                False,
            )
        ],
        notes="Inventory and timeline finished: the low mood followed the redundancy and rows with Maria.",
    )
    builders.hold(
        sessions[2],
        by,
        mood=4,
        techniques=["clarification", "exploratory_questions"],
        mood_context="Row on Saturday about the car insurance.",
        events=[
            (
                maria,
                "Argued about paying the car insurance; he walked out.",
                "Angry, then ashamed.",
                True,
            )
        ],
        notes="Problem areas agreed: the role transition and the dispute with Maria. Contract signed.",
        homework=(
            "Tell Maria one thing he did for the job search each day, at dinner.",
            maria,
            "done",
            "Did it four days out of five; Maria asked questions instead of criticising.",
        ),
    )


def _daniel_middle_sessions(sessions, by, people):
    maria, kev = people["Maria"], people["Kev"]
    builders.hold(
        sessions[3],
        by,
        phq9=[2, 2, 1, 2, 1, 2, 1, 1, 0],
        techniques=["communication_analysis", "role_play"],
        mood_context="Better on the days he and Maria talked at dinner; low after a rejection email.",
        events=[
            (maria, "Calm talk at dinner about the job search.", "Hopeful.", True),
            (kev, "Kev texted about five-a-side; he did not reply.", "Guilty, flat.", False),
        ],
        focal_notes="Role dispute: both want the same thing (security) but argue about the means.",
        analysis=(
            maria,
            "Kitchen, Sunday evening, both tired; Lucia upstairs.",
            "Maria: 'You could at least look at the warehouse job in town.' Dan: 'So I'm useless now?' (raised voice, turned away).",
            "That he feels ashamed and is trying.",
            "Maria heard a refusal and an attack; she went quiet.",
            "'I know you're worried. I am too. Can we look at it together after dinner?' Role-played twice.",
            True,
        ),
        role_play="Practised asking Maria for twenty minutes to plan the week's money together.",
        homework=(
            "Ask Maria for twenty minutes on Sunday to plan the week's money together.",
            maria,
            "partly",
            "They started but Lucia interrupted; agreed to finish on Monday and did.",
        ),
    )
    builders.hold(
        sessions[4],
        by,
        phq9=[1, 2, 1, 1, 1, 1, 1, 1, 0],
        techniques=["communication_analysis", "encouragement_of_affect"],
        mood_context="Fewer rows. Went to one interview; low the day after.",
        events=[
            (maria, "Planned the week's money together without a row.", "Proud, closer.", True)
        ],
        focal_notes="Transition: grieving the old job (the team, being the one who knew how things worked).",
        homework=(
            "Reply to Kev and go to five-a-side on Thursday.",
            kev,
            "done",
            "Went; enjoyed it; told Kev a little about the redundancy.",
        ),
    )
    builders.hold(
        sessions[5],
        by,
        phq9=[1, 1, 1, 1, 0, 1, 1, 1, 0],
        techniques=["decision_analysis"],
        mood_context="Sleeping better. Mood 6 out of 10 most days.",
        events=[
            (
                kev,
                "Five-a-side with Kev; talked about the job market.",
                "Normal again for an hour.",
                False,
            )
        ],
        focal_notes="Decision analysis: retrain as a forklift instructor or apply for supervisor jobs.",
        homework=(
            "Tell Maria about the two options and ask what she thinks, without deciding yet.",
            maria,
            "",
            "",
        ),
    )


def margaret(patient, by):
    """Widowed: inventory and timeline done, grief chosen, contract drafted but not yet signed."""
    course = builders.open_course(patient, by, 10, planned_sessions=14)
    builders.diagnose(course, onset=200, on=10)
    builders.record_phq9(course, [2, 3, 2, 2, 2, 2, 1, 1, 0], 10, by)
    builders.give_sick_role(
        course, 3, "Sorting John's belongings and the church flower rota, for now.",
        "Weekly sessions and one small contact with someone each week.",
    )  # fmt: skip
    people = builders.add_people(
        course,
        [
            ("John", "husband (died)", 1, {"deceased": True, "what_like": "Kind, funny, did everything with her."}),
            ("Claire", "daughter", 1, {"knows_about_depression": "yes"}),
            ("Ruth", "friend from choir", 2, {"cannot_discuss": "John's death: she changes the subject."}),
            ("Father Michael", "parish priest", 3),
        ],
    )  # fmt: skip
    builders.add_events(
        course,
        [
            (245, "John dies suddenly of a heart attack", "loss", "John"),
            (200, "Stops going to choir", "loss", "Ruth"),
            (200, "Tearful daily, eating little", "symptom_onset"),
            (90, "First anniversary of their wedding without John", "loss", "John"),
        ],
        people,
    )
    builders.add_area(
        course, ProblemArea.Area.GRIEF,
        "Mourning has stalled since John's sudden death; she has withdrawn from choir and church.",
        person=people["John"], date_of_death=builders.days_ago(245),
    )  # fmt: skip
    TreatmentContract.draft_for(course).save()
    return course


def aisha(patient, by):
    """New mother after a move: screened and diagnosed; item 9 positive, risk assessed."""
    course = builders.open_course(patient, by, 4)
    builders.diagnose(course, onset=100, on=4, disorder="mdd_peripartum")
    measure = builders.record_phq9(course, [2, 2, 2, 3, 1, 2, 2, 1, 1], 4, by)
    RiskAssessment.objects.create(
        course=course, measure=measure, assessed_on=builders.days_ago(4), level="low", assessed_by=by,
        findings="Fleeting thoughts that the baby would be better off without her; no plan or intent; baby is a strong protective factor.",
        safety_plan="Tell Imran when the thoughts come; call the perinatal team or 111 option 2; Samaritans 116 123.",
        actions_taken="GP and health visitor informed with her agreement.",
    )  # fmt: skip
    return course


def robert(patient, by):
    """Retirement as a role transition: completed and remitted."""
    course, sessions = builders.run_course(
        patient, by, weeks_ago=16, area=ProblemArea.Area.ROLE_TRANSITION,
        people=[("Jean", "wife", 1), ("Alan", "old colleague", 3), ("Mei", "daughter", 2)],
        scores=[16, 15, 14, 13, 11, 10, 9, 7, 6, 5, 4, 3],
        rationale="Low since retiring in the spring: lost his role, routine and his team.",
        from_role="site engineer", to_role="retired husband and grandfather",
    )  # fmt: skip
    builders.terminate(
        course, by, sessions, 10,
        helped="Volunteering two mornings a week; telling Jean when he felt useless instead of snapping.",
        triggers=[("Feeling in the way at home", "Snapping at Jean, sleeping in", "Plan the week with Jean; volunteer", "Jean, Alan")],
    )  # fmt: skip
    return course


def sofia(patient, by):
    """Divorce as a role transition: improved but not remitted, with a maintenance contract."""
    course, sessions = builders.run_course(
        patient, by, weeks_ago=18, area=ProblemArea.Area.ROLE_TRANSITION,
        people=[("Ana", "sister", 1), ("Marco", "ex-husband", 2), ("Lea", "friend", 2)],
        scores=[18, 18, 17, 16, 14, 13, 12, 11, 10, 9, 9, 8], missed={6},
        rationale="The divorce ended her role as a wife and changed her friendships.",
        from_role="married mother", to_role="separated, co-parenting mother",
    )  # fmt: skip
    builders.terminate(
        course, by, sessions, 10,
        helped="Agreeing a handover routine with Marco; seeing Lea every week.",
        triggers=[("Arguments with Marco at handovers", "Lying awake replaying them", "Use the agreed script; text, don't call", "Ana, Lea")],
    )  # fmt: skip
    maintenance = MaintenanceContract.objects.create(
        course=course, agreed_on=course.ended_on, booster_sessions=2
    )
    maintenance.plan_followups()
    return course
