"""Sam Reyes's caseload (`therapist`), as README.md "Demo clinic" tells it.

Daniel Moreno (middle phase, improving, contract renegotiated to 16 sessions), Margaret Ellis (contract drafted, not signed), Aisha
Rahman (PHQ-9 item 9 positive, perinatal risk assessed as high), Owen Price (middle phase,
mood ratings only since the baseline: PHQ-9 overdue), Robert Chen (completed, remitted, then maintenance
IPT) and Sofia Marin (completed, improved, maintenance follow-ups planned).
"""

from django.utils import timezone

from ipt.devtools.demo import builders
from ipt.devtools.demo.focal_work import notes
from ipt.initial.contract import TreatmentContract
from ipt.initial.models import ProblemArea
from ipt.measures.models import RiskAssessment
from ipt.termination.end_circle import GONE
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
    # IPT: two focal areas in twelve sessions proved too few; both agreed four more, within
    # the standard course's 12-16, in a signed amendment at session 6.
    builders.renegotiate(
        course, by, sessions[5], 16,
        "Two focal areas: the role transition is moving, but the dispute with Maria has only "
        "begun to shift. Agreed together at session 6: four more sessions, 16 in all.",
    )  # fmt: skip
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
                                  "patient_expects": "That she sees how hard he is trying, and stops checking the bank app in front of him.",
                                  "they_expect": "That he takes on more at home while he is out of work, and tells her how the applications are going.",
                                  "expectations_met": "not_met",
                                  "satisfying": "They still laugh together over Sunday lunch; she came to the GP with him.",
                                  "unsatisfying": "Every talk about money becomes a row; he feels watched and goes quiet.",
                                  "conflicts": "Rows about money and him being at home all day.",
                                  "conflicts_resolve": "rarely", "knows_about_depression": "partly",
                                  "would_change": "Talk without it turning into a row."}),
            ("Lucia", "daughter, 14", 1, {"knows_about_depression": "no"}),
            ("Rosa", "sister", 2, {"can_discuss": "Almost anything.", "knows_about_depression": "yes",
                                   "patient_expects": "To listen without telling him what to do.",
                                   "they_expect": "That he keeps in touch instead of going quiet for weeks.",
                                   "expectations_met": "partly",
                                   "satisfying": "Easy to talk to; she knew him before any of this.",
                                   "unsatisfying": "She lives an hour away and he does not want to worry her."}),
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
    ).make_primary()  # fmt: skip
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
    # Interpersonal change first: the rows with Maria eased at session 5, before the PHQ-9
    # fell by 6 points (session 6). The patient's 0-10 for each area: (transition, dispute).
    transition, dispute = sessions[0].course.problem_areas.order_by("created_at", "pk")
    rated = {4: (3, 3), 5: (5, 7), 6: (6, 8)}

    def focal(number):
        return list(zip((transition, dispute), rated[number], strict=True))

    builders.hold(
        sessions[3],
        by,
        ratings=focal(4),
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
        ratings=focal(5),
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
        ratings=focal(6),
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
        focal_notes="Transition to a new role: decision analysis, retrain as a forklift instructor or "
        "apply for supervisor jobs; what each would mean for him, and for Maria and the money.",
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
    """New mother after a move: screened and diagnosed; PHQ-9 item 9 positive, with thoughts
    that the baby would be better off without her: a perinatal red flag, risk assessed as high."""
    course = builders.open_course(patient, by, 3)
    builders.diagnose(course, onset=100, on=3, disorder="mdd_peripartum")
    measure = builders.record_phq9(course, [2, 2, 2, 3, 1, 3, 2, 0, 2], 3, by)
    builders.assess_risk(
        course, by, 3, RiskAssessment.Level.HIGH, reason=RiskAssessment.Reason.PHQ9_ITEM9,
        measure=measure, review_in=3, **AISHA_RISK,
    )  # fmt: skip
    return course


# IPT-REFERENCE.md: perinatal thoughts of the baby being better off without the mother are a
# red flag for specialist perinatal review, whatever the plan or intent.
AISHA_RISK = {
    "asked": (
        "Thoughts that life is not worth living, of death or of ending her life: how often, since "
        "when, any plan, intent, preparations or means at home; past self-harm or attempts. "
        "Thoughts of harming the baby, frightening intrusive thoughts or images about him, and "
        "whether she ever avoids being alone with him. Unusual beliefs or experiences since the "
        "birth (postpartum psychosis); sleep; alcohol and drugs."
    ),
    "findings": (
        "PHQ-9 item 9 scored 2. For about two weeks, most days, thoughts that the baby (Zayan) "
        "and Imran would be better off without her, that she is failing him as a mother, and at "
        "night wishing she would not wake up. No plan, no intent, no preparations, no past "
        "self-harm. No thoughts or urges to harm the baby, no intrusive images of harm; she feeds "
        "and cares for him well and was tender with him in the room. No psychotic features. "
        "Sleeping 3-4 broken hours; isolated since the move. Level high although there is no plan: "
        "thoughts of the baby being better off without her are a perinatal red flag, they are "
        "getting more frequent, and she is alone with him all day."
    ),
    "protective_factors": (
        "Loves her son and wants to get well for him; Imran is supportive and has taken the week "
        "off work; her mother can come from Leicester to stay from the weekend; her faith; no "
        "history of self-harm; she raised the thoughts herself and accepts help."
    ),
    "safety_plan": (
        "Warning signs: the thoughts coming more often or by day, starting to think how, wanting "
        "to be away from Zayan. Then: tell Imran straight away, day or night, and not stay alone "
        "with the thoughts; Imran does the night feed with expressed milk so she sleeps six hours. "
        "Weekdays: the perinatal team's duty line. Evenings and weekends: NHS 111, option 2 (the "
        "mental health crisis line); Samaritans 116 123. If she feels she might act on the "
        "thoughts: 999 or the nearest A&E. A copy for her, one on the fridge; Imran has the numbers."
    ),
    "actions_taken": (
        "Urgent referral to the specialist perinatal mental health team by phone the same day, "
        "confirmed in writing: they will see her at home within 48 hours. GP phoned for an "
        "urgent review the same week, including medication that is safe while breastfeeding. "
        "Health visitor informed and visiting this week. Discussed with the supervisor, Helen "
        "Okafor, the same day. Review by phone once the perinatal team has seen her. IPT begins "
        "alongside the perinatal team, in liaison with them."
    ),
    "informed": (
        "Imran (present, with her consent); Dr Shah, North Road Surgery (GP); the health visitor, "
        "North Road Children's Centre; the specialist perinatal mental health team (referral); "
        "Helen Okafor (supervisor)."
    ),
}


def robert(patient, by):
    """Retirement as a role transition: completed and remitted. His third episode of
    depression, so monthly maintenance IPT for a year (Frank) rather than check-ins."""
    course, sessions = builders.run_course(
        patient, by, weeks_ago=16, area=ProblemArea.Area.ROLE_TRANSITION, episode="recurrent",
        people=[
            ("Jean", "wife", 1, {
                "patient_expects": "That she understands he needs something to do, not just rest.",
                "they_expect": "That he stops hovering in the kitchen and makes plans of his own.",
                "expectations_met": "partly",
                "satisfying": "Forty years of shared jokes; walks on Sundays.",
                "unsatisfying": "Under each other's feet all day since he retired.",
            }),
            ("Alan", "old colleague", 3, {
                "patient_expects": "To stay in touch now that work no longer brings them together.",
                "they_expect": "Not known: Alan has not called since the leaving do.",
                "expectations_met": "not_known",
            }),
            ("Mei", "daughter", 2),
        ],
        scores=[16, 15, 14, 13, 11, 10, 9, 7, 6, 5, 4, 3],
        # Symptoms first: the PHQ-9 fell from session 6, life as a retired man lifted from 10.
        focal={4: 2, 5: 2, 6: 3, 7: 3, 8: 3, 9: 4, 10: 6, 11: 7, 12: 7},
        rationale="Low since retiring in the spring: lost his role, routine and his team.",
        from_role="site engineer", to_role="retired husband and grandfather",
    )  # fmt: skip
    builders.terminate(
        course, by, sessions, 10,
        helped="Volunteering two mornings a week; telling Jean when he felt useless instead of snapping.",
        triggers=[("Feeling in the way at home", "Snapping at Jean, sleeping in", "Plan the week with Jean; volunteer", "Jean, Alan")],
        circle={"Jean": 1, "Mei": 1, "Alan": GONE},
        new_people=[("Pat", "volunteer coordinator", 2), ("Dev", "fellow volunteer", 3)],
    )  # fmt: skip
    maintenance = MaintenanceContract.objects.create(
        course=course, kind=MaintenanceContract.Kind.MAINTENANCE_IPT, agreed_on=course.ended_on,
        interval_months=1, number_of_followups=12, booster_sessions=0,
        notes="Third episode: monthly maintenance IPT for a year, keeping to the retirement "
        "work (structure, Jean, the volunteering) as in the acute course.",
    )  # fmt: skip
    maintenance.plan_followups()
    first = maintenance.followups.first()
    if first.due_on <= timezone.localdate():  # the first monthly session has taken place
        first.status, first.held_on = first.Status.HELD, first.due_on
        first.notes = (
            "Volunteering twice a week; one flat week when Jean was away, talked it through."
        )
        first.record(
            by=by,
            phq9_answers=builders.phq9_answers(4),
            focal_work={
                course.problem_areas.get(): {
                    "event": "Jean away for a week: the days had no shape, and he felt useless.",
                    "work": "Went over the week as in the acute course: what the old role gave "
                    "him (a team, being needed) and where the new one gives it now; planned the "
                    "days with Jean before she goes again.",
                    "next_step": "Tell Jean before her next trip what he will miss, and plan "
                    "two volunteering mornings for that week.",
                }
            },
        )
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


def owen(patient, by):
    """Long-standing isolation: middle phase, five sessions held with only the 0-10 mood rating
    since the baseline PHQ-9 at assessment, so the PHQ-9 is overdue."""
    course = builders.open_course(patient, by, 38)
    builders.diagnose(course, onset=730, on=38)
    builders.record_phq9(course, [2, 2, 2, 2, 1, 2, 2, 2, 0], 38, by)
    people = _owen_initial_phase(course)
    sessions = builders.plan_sessions(course, 31)
    _owen_initial_sessions(sessions, by, people)
    builders.agree_contract(course, by, sessions[2], note="Contract signed in session 3.")
    _owen_middle_sessions(sessions, by, people)
    return course


def _owen_initial_phase(course):
    builders.give_sick_role(
        course, 31, "The overtime shifts at the depot, for now.",
        "Weekly sessions, and one small step towards someone each week.",
    )  # fmt: skip
    people = builders.add_people(
        course,
        [
            ("Carol", "sister", 2, {"time_together": "Phones on Sundays; he keeps it short.",
                                    "knows_about_depression": "partly",
                                    "would_change": "Go to hers for lunch without dreading it."}),
            ("Phil", "school friend, lost touch", 3, {"feelings": "Easy with him, years ago.",
                                                      "would_change": "Get back in touch."}),
            ("Dave", "workmate on the night shift", 3, {"can_discuss": "Football, the shifts.",
                                                        "knows_about_depression": "no"}),
        ],
    )  # fmt: skip
    builders.add_events(
        course,
        [
            (9000, "Leaves home for the depot job; loses touch with school friends", "move"),
            (900, "Stops going to the pub quiz when the team breaks up", "loss"),
            (730, "Low mood begins; sleeping badly after nights", "symptom_onset"),
            (400, "Does not go to Phil's wedding", "other", "Phil"),
            (120, "Worse over the winter; sees nobody outside work", "symptom_worsening"),
        ],
        people,
    )
    builders.add_area(
        course, ProblemArea.Area.INTERPERSONAL_DEFICITS,
        "Long-standing isolation with no recent loss, dispute or change: he waits to be asked, "
        "assumes people have lost interest, and the depression has grown as contacts fell away.",
    )  # fmt: skip
    builders.formulate(course, shared_on=builders.days_ago(17))
    return people


def _owen_initial_sessions(sessions, by, people):
    carol, phil = people["Carol"], people["Phil"]
    builders.hold(
        sessions[0], by, mood=3,
        mood_context="Flat; sleeps badly after nights. Spoke to nobody outside work all week.",
        notes="Major depression, moderate, explained as an illness rather than a weakness; sick "
        "role agreed. Began the inventory: very few names, and he apologised for it.",
    )  # fmt: skip
    builders.hold(
        sessions[1], by, mood=3, techniques=["exploratory_questions"],
        mood_context="Carol rang on Sunday and asked him to lunch; he said he was working.",
        events=[(carol, "Turned down Carol's invitation to Sunday lunch.",
                 "Wanted to go; didn't know what he would say.", False)],
        notes="Inventory and timeline done: friendships fade the same way each time; he waits "
        "for others to get in touch, then takes the silence as a verdict on him.",
    )  # fmt: skip
    builders.hold(
        sessions[2], by, mood=4, techniques=["clarification"],
        mood_context="Went to Carol's for lunch in the end; quiet, but glad he went.",
        events=[(carol, "Sunday lunch at Carol's with her family.", "Awkward, then warm.", False)],
        notes="Interpersonal sensitivity agreed as the focus; formulation shared: the isolation "
        "and the depression feed each other. Contract signed for 12 sessions.",
        homework=("Text Phil to say hello.", phil, "done",
                  "Sent it after three drafts; Phil replied the same day and suggested a pint."),
    )  # fmt: skip


def _owen_middle_sessions(sessions, by, people):
    phil, dave = people["Phil"], people["Dave"]
    builders.hold(
        sessions[3], by, mood=4,
        techniques=["communication_analysis", "therapeutic_relationship"],
        mood_context="Nervous about meeting Phil. Dave asked him to the shift's five-a-side; he said no.",
        events=[(dave, "Said no to Dave's five-a-side, blaming his knee.", "Relieved, then lonely.", True)],
        analysis=(
            dave, "Break room at 3 am, two others there; Owen tired, looking at his phone.",
            "Dave: 'We're a man short Saturday, you in?' Owen: 'Nah, knee's playing up.'",
            "That he would like to come but is unfit and afraid of looking foolish.",
            "Dave most likely heard 'not interested'; he has not asked again.",
            "'I'm badly out of shape, but I'd like to come along, even just to watch.'", True,
        ),
        focal_notes="Isolation: the same pattern as with Phil years ago, turning an offer down so as "
        "not to look foolish, then feeling left out. He apologised for taking up my time: used it "
        "as an example, and the sessions as a safe place to practise saying what he wants.",
        homework=("Meet Phil for the pint he suggested.", phil, "done",
                  "Two hours at the pub; Phil wants to make it monthly."),
        before_finalise=lambda s: notes(s, ProblemArea.Area.INTERPERSONAL_DEFICITS, [
            ("past_relationships", "Phil at school, the lads at the depot, the pub quiz team: he "
             "waits to be asked, reads a gap in contact as rejection and drops out without a word."),
            ("therapeutic_relationship", "Apologised twice for 'wasting my time'. Asked what he "
             "expected me to think: that I was bored. Checked it against what I actually said; "
             "agreed to say so in the room when he feels it."),
        ]),
    )  # fmt: skip
    builders.hold(
        sessions[4], by, mood=5, techniques=["role_play", "exploratory_questions"],
        mood_context="Best week in months after the pint with Phil; mood 5 out of 10.",
        events=[(phil, "Pint with Phil; talked about school and Phil's divorce.",
                 "Warm; surprised that Phil had been low too.", True)],
        focal_notes="Reducing isolation: one old friendship picked up again (Phil); next, going back "
        "to Dave about the five-a-side.",
        role_play="Practised telling Dave he would like to come on Saturday after all.",
        homework=("Tell Dave he would like to come to the five-a-side, even just to watch.", dave,
                  "", ""),
        before_finalise=lambda s: notes(s, ProblemArea.Area.INTERPERSONAL_DEFICITS, [
            ("steps_out", "The pint with Phil went well; next step Dave and the five-a-side. "
             "Role-played the sentence until it sounded like his own."),
        ]),
    )  # fmt: skip
