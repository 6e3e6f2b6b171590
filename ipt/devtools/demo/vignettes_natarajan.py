"""Priya Natarajan's caseload (`therapist2`), as README.md "Demo clinic" tells it.

Tom Whitaker (just started), Grace Adeyemi (brief IPT, not improving, a missed session, an
item 9 of 1 whose risk assessment is still to be written), Kwame Mensah (completed, not
improved, referred on), Olivia Grant (a first job far from home: dropped out), Hannah
Kowalski (overdue), Lucy Brennan (deteriorating as her husband moves out; risk assessed out of
the therapist's concern) and Marcus Bell (the two latest sessions missed: contact him).
"""

from datetime import timedelta

from ipt.course.models import EndReason, Variant
from ipt.devtools.demo import builders
from ipt.devtools.demo.focal_work import decision_about, notes
from ipt.initial.models import ProblemArea
from ipt.measures.models import RiskAssessment


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
    builders.formulate(course, shared_on=builders.days_ago(31))
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
        mood_context="Worse after a row with Mum on Saturday; spent Sunday in her room.",
        focal_notes="Dispute with Mum at impasse: Mum expects a daughter who is up early, helps "
        "and is out at work; Grace expects to be treated as an adult. Neither has said so aloud.",
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
        patient, by, weeks_ago=9, area=ProblemArea.Area.ROLE_TRANSITION,
        people=[("Mum", "mother", 1), ("Jess", "flatmate", 3)], scores=[15, 14, 15, 14],
        rationale="Low since she moved away for her first job: she lost her friends, her home town "
        "and student life at once, and has not yet found her feet at work or in the city.",
        from_role="student living near home and friends", to_role="graduate starting work in a new city",
    )  # fmt: skip
    course.end_early(by, EndReason.DROP_OUT, sessions[3].scheduled_for.date() + timedelta(days=14),
                     note="Did not attend sessions 5 and 6; a letter offering to restart was sent.")  # fmt: skip
    return course


def hannah(patient, by):
    """Grief for her mother: middle phase, but no session for three weeks (overdue)."""
    course, _ = builders.run_course(
        patient, by, weeks_ago=7, area=ProblemArea.Area.GRIEF,
        people=[("Irena", "mother (died)", 1, {"deceased": True}), ("Piotr", "husband", 1)],
        scores=[14, 13, 13, 12, 12], person=True, date_of_death=builders.days_ago(150),
        rationale="Mourning stalled since her mother died in the winter.",
    )  # fmt: skip
    # The last two planned sessions passed without being recorded: the course is overdue.
    return course


def lucy(patient, by):
    """Dispute with her husband: middle phase, PHQ-9 9 at baseline to 16 by session 6 after he
    moves out (reliable deterioration), and a risk assessment out of the therapist's concern."""
    course = builders.open_course(patient, by, 42)
    people = _lucy_initial_phase(course)
    sessions = builders.plan_sessions(course, 42)
    _lucy_initial_sessions(sessions, by, people["Paul"])
    builders.agree_contract(course, by, sessions[2], note="Contract signed in session 3.")
    _lucy_middle_sessions(course, sessions, by, people)
    builders.assess_risk(
        course, by, 7, RiskAssessment.Level.MODERATE, reason=RiskAssessment.Reason.CONCERN,
        review_in=7, **LUCY_RISK,
    )  # fmt: skip
    return course


def _lucy_initial_phase(course):
    """Diagnosis, sick role, inventory, timeline, the dispute and the formulation."""
    builders.diagnose(course, onset=130, on=42, severity="mild")
    builders.give_sick_role(
        course, 42, "The Saturday swimming runs (Kate takes the children) and the PTA, for now.",
        "Weekly sessions, the agreed action each week, telling Kate when she is struggling.",
    )  # fmt: skip
    people = builders.add_people(
        course,
        [
            ("Paul", "husband", 1, {"what_like": "Hard-working site manager; funny when sober.",
                                    "patient_expects": "That he shares the evenings and the school runs, and drinks less.",
                                    "they_expect": "That she stops 'nagging' and accepts the hours the job needs.",
                                    "expectations_met": "not_met",
                                    "satisfying": "Good with the children at weekends when he is sober.",
                                    "unsatisfying": "Evenings alone; rows when he comes home late.",
                                    "conflicts": "His drinking and his hours; she feels she runs the home alone.",
                                    "conflicts_resolve": "rarely", "knows_about_depression": "partly",
                                    "would_change": "That he would hear her without a row, and drink less."}),
            ("Ellie", "daughter, 15", 1, {"knows_about_depression": "no"}),
            ("Kate", "sister", 2, {"can_discuss": "Anything but Paul: Kate never liked him.",
                                   "knows_about_depression": "yes"}),
            ("Brenda", "mother", 3, {"what_like": "Critical; 'you keep a marriage together'."}),
        ],
    )  # fmt: skip
    builders.add_events(
        course,
        [
            (400, "Paul promoted to site manager; the long hours begin", "role_change", "Paul"),
            (200, "First row about Paul's drinking in front of the children", "conflict", "Paul"),
            (130, "Low mood and poor sleep begin", "symptom_onset"),
            (60, "Paul misses the parents' evening; a bad row", "conflict", "Paul"),
            (16, "Paul moves out to his brother's 'for a break'", "loss", "Paul"),
            (12, "Mood much worse; sleeping 3-4 hours", "symptom_worsening"),
        ],
        people,
    )
    builders.add_area(
        course, ProblemArea.Area.ROLE_DISPUTE,
        "The low mood began as the rows with Paul about his drinking and his absence became "
        "weekly; both say they want the marriage to work and they are still talking.",
        person=people["Paul"], dispute_stage="renegotiation",
    )  # fmt: skip
    builders.formulate(course, shared_on=builders.days_ago(28))
    return people


def _lucy_initial_sessions(sessions, by, paul):
    builders.hold(
        sessions[0], by, phq9=[1, 1, 2, 1, 1, 1, 1, 1, 0],
        mood_context="Low for four months, worst on weekend evenings when Paul drinks; sleeps 5 hours.",
        notes="First episode of major depression, mild, explained as an illness and not a failing; "
        "sick role agreed. Began the inventory.",
    )  # fmt: skip
    builders.hold(
        sessions[1], by, mood=5, techniques=["clarification"],
        mood_context="A slightly better week: Paul home early twice.",
        events=[(paul, "Paul came home early twice and cooked once; no row.",
                 "Relieved; wary it will not last.", True)],
        notes="Inventory and timeline done: the low mood followed Paul's promotion and the rows "
        "that came with his hours and his drinking.",
    )  # fmt: skip
    builders.hold(
        sessions[2], by, phq9=[1, 1, 2, 1, 1, 2, 1, 1, 0], techniques=["clarification"],
        mood_context="Row on Sunday: Paul went to the pub during their son's birthday tea.",
        events=[(paul, "Paul left their son's birthday tea for the pub.", "Humiliated, furious.", True)],
        notes="Formulation shared: the depression began with, and is kept going by, the dispute "
        "with Paul; both still want the marriage (renegotiation). Contract signed for 12 sessions.",
        homework=("At a calm, sober moment, tell Paul one thing she would like from him at weekends.",
                  paul, "done", "Asked him to be home for Sunday lunch; he said 'fair enough' and came."),
    )  # fmt: skip


def _lucy_middle_sessions(course, sessions, by, people):
    paul, area = people["Paul"], course.problem_areas.get()
    builders.hold(
        sessions[3], by, phq9=[2, 1, 2, 2, 1, 2, 1, 1, 0],
        techniques=["communication_analysis", "role_play"],
        mood_context="Lower. Paul was drunk at her birthday meal and called her a nag in front of the children.",
        events=[(paul, "Paul drunk at her birthday meal; a row in the car home.", "Ashamed, hopeless.", True)],
        analysis=(
            paul, "Restaurant car park, 10 pm; Paul had drunk most of a bottle; the children in the car.",
            "Lucy: 'You've ruined it again. You always do this.' Paul: 'Here we go. You're such a "
            "nag.' She slammed the door and did not speak to him for two days.",
            "That she felt let down on her birthday and wants him there for the family.",
            "Paul heard 'always' as an attack on who he is and shut down; the children heard a row.",
            "Next morning, sober, speak for herself: 'I was hurt last night. I wanted my birthday "
            "with you, not with the wine.' Role-played twice.", True,
        ),
        focal_notes="Dispute with Paul: non-reciprocal expectations. She expects a partner at home in "
        "the evenings; he expects home to be where he unwinds, with a drink. Still renegotiation.",
        homework=("Tell Paul how the birthday felt, in the words practised, at a sober moment.", paul,
                  "partly", "Said the first sentence; he apologised, then said she treats him like a child."),
    )  # fmt: skip
    builders.hold(
        sessions[4], by, phq9=[2, 2, 2, 2, 1, 2, 2, 2, 0],
        techniques=["encouragement_of_affect", "clarification"], stage=(area, "impasse"),
        mood_context="Much worse: Paul said he 'isn't sure he wants this any more' and went to "
        "his brother's. Crying most days; sleeping 3-4 hours.",
        events=[(paul, "Paul moved out to his brother's after a row; texts only about the children.",
                 "Shock and panic, then numb.", True),
                (people["Brenda"], "Told her mother, who said 'you must have pushed him'.", "Crushed.", False)],
        focal_notes="Dispute with Paul now at impasse: he has stopped talking about the marriage. "
        "Made room for the fear and the anger. Went through the PHQ-9 rise with her (9 to 15), "
        "which she links to the separation. Asked about thoughts of death or self-harm: none.",
        homework=("Ask Paul to meet, sober, about the children's week while he is away (not the marriage yet).",
                  paul, "done", "Met at a café; he was calm; they agreed the children's week. Sad after, glad she went."),
    )  # fmt: skip
    builders.hold(
        sessions[5], by, phq9=[2, 2, 3, 2, 1, 2, 2, 2, 0],
        techniques=["exploratory_questions", "decision_analysis"],
        mood_context="Paul still away. Ellie blames her and barely speaks to her. Two or three "
        "glasses of wine most nights 'to sleep'; she cannot see how things get better.",
        events=[(paul, "Paul brought the children back late on Saturday without a word to her.",
                 "Invisible, angry.", True)],
        focal_notes="Dispute with Paul at impasse, with Ellie caught in the middle. What Lucy needs "
        "from Paul now: a reliable plan for the children, and an honest talk about his drinking.",
        notes="PHQ-9 16 (9 at baseline): a reliable deterioration. Item 9 scored 0, but with the "
        "separation, the hopelessness, the new evening drinking and the poor sleep, assessed the "
        "risk in full (see the risk record). Discussed with Helen Okafor after the session.",
        homework=("Ask Paul to tell Ellie with her what is happening, and that it is nobody's fault.",
                  paul, "", ""),
        before_finalise=lambda s: _lucy_decision(s, paul),
    )  # fmt: skip


LUCY_RISK = {
    "asked": (
        "Hopelessness; thoughts that life is not worth living, of death or of ending her life; "
        "any plan, preparations or means (the tablets at home); past self-harm or attempts; "
        "drinking; what keeps her going."
    ),
    "findings": (
        "Hopeless about the marriage and worn out. Denies thoughts that life is not worth living "
        "or of ending her life, now or ever; no plan, no preparations, no past self-harm. Drinking "
        "2-3 glasses of wine most evenings since Paul left (weekends only before); sleeping 3-4 "
        "hours. PHQ-9 9 to 16 in five weeks, item 9 0. Moderate because of the risk factors "
        "(separation, new drinking, insomnia, hopelessness) and how fast they have come."
    ),
    "protective_factors": (
        "Her children ('I would never leave them'); her sister Kate, whom she sees each week; "
        "keeps going to her part-time job at the school office; engaged in therapy and asks for "
        "help; no history of self-harm."
    ),
    "safety_plan": (
        "Warning signs: lying awake going over it, drinking more to sleep, thinking the children "
        "would be better off with Paul. Then: call or text Kate, who has said any time; no wine "
        "on weeknights; the evening walk with the dog. If thoughts of death come: the GP the same "
        "day, NHS 111 option 2 at night, Samaritans 116 123; 999 or A&E if she feels unsafe. She "
        "has a copy; Kate has the numbers."
    ),
    "actions_taken": (
        "Assessment and safety plan done with her in the session. Discussed with the supervisor, "
        "Helen Okafor, the same day. With her consent, wrote to the GP for an appointment this "
        "week about sleep, alcohol and an antidepressant. PHQ-9 at every session from now."
    ),
    "informed": (
        "Dr Evans, Hillside Surgery (GP), by letter with her consent; Helen Okafor (supervisor); "
        "her sister Kate, at Lucy's request, knows the safety plan."
    ),
}


def marcus(patient, by):
    """A fall ends his trade: middle phase; missed session 6 and cancelled session 7, the two
    latest, so the patient must be contacted."""
    course = builders.open_course(patient, by, 44)
    people = _marcus_initial_phase(course)
    sessions = builders.plan_sessions(course, 44)
    _marcus_initial_sessions(sessions, by, people)
    builders.agree_contract(course, by, sessions[2], note="Contract signed in session 3.")
    _marcus_middle_sessions(sessions, by, people)
    builders.miss(sessions[5], "Did not attend. Texted at 10:15 and left a voicemail; no reply.")
    builders.miss(
        sessions[6], "Cancelled by text an hour before: 'not up to it this week, sorry'.",
        cancelled=True,
    )  # fmt: skip
    return course


def _marcus_initial_phase(course):
    builders.diagnose(course, onset=150, on=44)
    builders.give_sick_role(
        course, 44, "Looking for work, until the occupational health decision.",
        "Weekly sessions; one agreed action a week; the physio exercises.",
    )  # fmt: skip
    people = builders.add_people(
        course,
        [
            ("Dionne", "partner", 1, {"what_like": "Patient, tired; extra shifts at the care home.",
                                      "conflicts": "He snaps when she asks about the future.",
                                      "conflicts_resolve": "sometimes", "knows_about_depression": "yes",
                                      "would_change": "Not feel like a burden to her."}),
            ("Tyler", "son, 17", 2, {"knows_about_depression": "partly"}),
            ("Gaz", "workmate, ran the crew with him", 3, {"time_together": "Eleven years on the same jobs."}),
        ],
    )  # fmt: skip
    builders.add_events(
        course,
        [
            (190, "Falls from scaffolding; back injury", "health"),
            (180, "Signed off work", "role_change"),
            (150, "Low, irritable, stops going out", "symptom_onset"),
            (90, "Dionne takes extra shifts to cover the money", "role_change", "Dionne"),
        ],
        people,
    )
    builders.add_area(
        course, ProblemArea.Area.ROLE_TRANSITION,
        "The depression followed the fall: he has lost his trade, his crew and his place as the "
        "one who provides, and has not yet found what he can do instead.",
        from_role="scaffolding foreman and main earner", to_role="injured, looking for work he can do",
    )  # fmt: skip
    builders.formulate(course, shared_on=builders.days_ago(30))
    return people


def _marcus_initial_sessions(sessions, by, people):
    tyler, gaz, dionne = people["Tyler"], people["Gaz"], people["Dionne"]
    builders.hold(
        sessions[0], by, phq9=[2, 2, 3, 2, 1, 3, 2, 2, 0],
        mood_context="Low since the fall; irritable with Dionne and Tyler; on the sofa most days.",
        notes="Major depression, moderate, explained as an illness that needs treatment like his "
        "back, not willpower; sick role agreed. Began the inventory.",
    )  # fmt: skip
    builders.hold(
        sessions[1], by, mood=3, techniques=["exploratory_questions"],
        mood_context="Flat. Snapped at Tyler over the lights, then felt bad.",
        events=[(tyler, "Shouted at Tyler for leaving the lights on.", "Ashamed.", False)],
        notes="Inventory and timeline done: the depression followed the fall and the loss of his "
        "job and crew; worst since Dionne's extra shifts left him alone all day.",
    )  # fmt: skip
    builders.hold(
        sessions[2], by, phq9=[2, 2, 2, 2, 1, 3, 2, 2, 0], techniques=["clarification"],
        mood_context="A bit steadier. Gaz phoned; Marcus kept it short.",
        events=[(gaz, "Gaz rang to see how he was.", "Pleased, then ashamed not to be working.", False)],
        notes="Role transition agreed as the focus; formulation shared. Contract signed for 12 sessions.",
        homework=("Tell Dionne one thing he misses about work and one thing he worries about.",
                  dionne, "done", "Told her he misses the crew and fears for the money; she said she'd rather know."),
    )  # fmt: skip


def _marcus_middle_sessions(sessions, by, people):
    gaz, dionne = people["Gaz"], people["Dionne"]
    builders.hold(
        sessions[3], by, mood=4, techniques=["encouragement_of_affect", "exploratory_questions"],
        mood_context="Better on the days he got out; low on Sunday when the crew posted photos of a job.",
        events=[(gaz, "Saw the crew's photos on the group chat and left the chat.", "Left out, jealous.", True)],
        focal_notes="Transition, the old role: what he loved (the crew, being good at something "
        "hard, providing) and what he does not miss (winter starts, the danger). Tearful for the "
        "first time, talking about the crew.",
        homework=("Meet Gaz for a coffee and tell him honestly about the injury.", gaz, "done",
                  "Told Gaz he can't climb again; Gaz said the firm needs a site safety trainer."),
    )  # fmt: skip
    builders.hold(
        sessions[4], by, phq9=[2, 1, 2, 2, 1, 2, 1, 2, 0], techniques=["decision_analysis"],
        mood_context="Steadier. Talked with Dionne about Gaz's idea; the occupational health "
        "appointment is next week.",
        events=[(dionne, "Talked with Dionne about safety training; she was keen.",
                 "Hopeful, scared of the classroom.", True)],
        focal_notes="The new role: decision analysis, retraining as a site safety trainer (his "
        "experience, no climbing; a course and exams, which he dreads) against waiting on the "
        "occupational health decision. Warned that the decision may be hard news.",
        homework=("Ask Gaz who runs the safety courses, and call them.", gaz, "", ""),
    )  # fmt: skip


def _lucy_decision(session, paul):
    """Session 6: the dispute at impasse, and what to do about Paul's staying away."""
    notes(
        session,
        ProblemArea.Area.ROLE_DISPUTE,
        [
            (
                "expectations",
                "She expects Paul to come home and face the drinking; he expects her to "
                "'give him space' until he is ready. Neither expectation has been said to the other.",
            ),
            (
                "options",
                "Options weighed in a decision analysis (below): wait, set a date to talk, "
                "or ask for a separation. She chose to ask for one conversation, with a date.",
            ),
        ],
    )
    decision_about(
        session, paul,
        decision="Whether to wait for Paul to come back in his own time, or to ask him now for a "
        "talk about the marriage and his drinking.",
        options=[
            ("Wait and say nothing.", "No row now, but the not-knowing keeps her awake; she "
             "feels invisible.", "Paul keeps his distance; Ellie stays caught in the middle."),
            ("Ask him for one talk, on a fixed day, sober.", "Frightening, but she says what she "
             "needs; whatever he answers, she knows where she stands.", "He may feel pushed; "
             "he also hears that she wants the marriage to work."),
            ("Ask for a trial separation.", "Relief from the waiting; grief and a lot of change "
             "for the children.", "He may take it as the end; it could also shock him into "
             "stopping drinking."),
        ],
        choice="The talk on a fixed day: it brings the disagreement into the open without "
        "closing the door, the way out of the impasse she wants.",
        first_step="Text Paul on Sunday evening to ask him to meet on Wednesday at the café, "
        "sober, to talk about the two of them.",
    )  # fmt: skip
