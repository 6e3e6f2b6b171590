"""The IPT strategies of each problem area, as the session page offers them: data, no database.

From the IPT manuals (Weissman, Markowitz & Klerman 2018; Stuart & Robertson) as summarised in
IPT-REFERENCE.md, "Problem-area strategies (middle phase)". Each strategy is an optional prompt
with a short hint; what the therapist writes under it is kept per session (StrategyNote), so
later sessions show which strategies have been worked on, and when.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Strategy:
    key: str
    title: str
    hint: str


GRIEF = (
    Strategy(
        "story",
        "The story of the death",
        "Ask for the story of the death and the time around it: how the patient learned of it, "
        "the days before and after, the funeral, who was there and who was not.",
    ),
    Strategy(
        "relationship",
        "Reconstructing the relationship",
        "The relationship with the deceased as it was, good and bad sides: what they did "
        "together, what was difficult. Idealisation blocks mourning; ask about the "
        "disappointments too.",
    ),
    Strategy(
        "feelings",
        "The feelings",
        "Encourage the feelings that come with the memories: sadness, guilt, anger, relief. "
        "Help the patient bear them in the session rather than steer away.",
    ),
    Strategy(
        "reminders",
        "Anniversaries and reminders",
        "Anniversaries, birthdays, places and objects that bring the loss back; plan for the "
        "ones coming up.",
    ),
    Strategy(
        "reconnecting",
        "Re-establishing interests and relationships",
        "As mourning moves on: old interests and people to return to, new ones that can fill "
        "some of what was lost.",
    ),
)

DISPUTE = (
    Strategy(
        "expectations",
        "Each side's expectations",
        "What does the patient want from the other person, and what does the other person want "
        "from the patient? Where are the expectations not mutual (non-reciprocal)?",
    ),
    Strategy(
        "options",
        "Options considered",
        "The options for the dispute the patient can see, and what each would cost; what the "
        "patient is and is not willing to change.",
    ),
    Strategy(
        "communication",
        "Communication in the dispute",
        "How the disagreements are argued: the usual pattern of the rows, where communication "
        "breaks down; communication analysis and role play are the main tools.",
    ),
)

# The strategy that fits the dispute's stage, reassessed each session.
DISPUTE_STAGE_STRATEGY = {
    "renegotiation": "Renegotiation: both are still talking. Work on communication: "
    "communication analysis of the recent arguments, alternatives rehearsed in role play.",
    "impasse": "Impasse: talking has stopped. Bring the hidden disagreement into the open "
    "(even at the cost of some conflict) and aim at moving back to renegotiation.",
    "dissolution": "Dissolution: the relationship is ending. Help the patient mourn it and "
    "move on, as in a role transition.",
}

TRANSITION = (
    Strategy(
        "old_role",
        "The old role: good and bad",
        "What was good about the old role and what was not; a balanced picture, not only the "
        "good remembered.",
    ),
    Strategy(
        "loss",
        "What was lost, and mourning it",
        "What the change took away (people, routines, status, a sense of self) and the "
        "feelings about it: sadness, anger, fear.",
    ),
    Strategy(
        "new_role",
        "The new role: good and bad",
        "The new role's demands and its possibilities; what might be better in it.",
    ),
    Strategy(
        "skills_support",
        "Skills and supports for the new role",
        "The skills the new role needs and who can support the patient in it; build mastery "
        "and self-esteem step by step.",
    ),
)

DEFICITS = (
    Strategy(
        "past_relationships",
        "Important past relationships and their patterns",
        "The important relationships of the past, good and bad, and the patterns that repeat "
        "in them (how they started, what went wrong, how they ended).",
    ),
    Strategy(
        "therapeutic_relationship",
        "The therapeutic relationship as a model",
        "How the patient relates to the therapist, here and now, as a model of other "
        "relationships and a safe place to practise.",
    ),
    Strategy(
        "steps_out",
        "Concrete steps out of isolation",
        "Small, concrete steps towards people this week: whom to contact, where to go, what "
        "to say; review how each went.",
    ),
)

BY_AREA = {
    "grief": GRIEF,
    "role_dispute": DISPUTE,
    "role_transition": TRANSITION,
    "interpersonal_deficits": DEFICITS,
}

# What the patient reads for interpersonal deficits (IPT-REFERENCE.md).
PATIENT_AREA_NAMES = {"interpersonal_deficits": "Interpersonal sensitivity"}


def strategies_for(area):
    """The strategies of one problem area (an Area value); an unknown area has none."""
    return BY_AREA.get(area, ())


def strategy_title(area, key):
    for strategy in strategies_for(area):
        if strategy.key == key:
            return strategy.title
    return key.replace("_", " ").capitalize()


def stage_strategy(stage):
    """The strategy that fits a dispute's stage, or '' for no (or an unknown) stage."""
    return DISPUTE_STAGE_STRATEGY.get(stage, "")


@dataclass(frozen=True)
class Covered:
    key: str
    title: str
    hint: str
    sessions: tuple[int, ...]  # the session numbers where it was worked on, in order
    last_on: object = None  # the date of the last of them


def coverage(area, worked_on):
    """Each strategy of the area with the sessions it was worked on.

    ``worked_on`` is an iterable of (key, session number, date) for this area's notes that hold
    text; keys no longer in the catalogue are ignored, repeats in one session count once.
    """
    found = {}
    for key, number, on in worked_on:
        sessions = found.setdefault(key, {})
        sessions[number] = on
    return [
        Covered(
            s.key,
            s.title,
            s.hint,
            tuple(sorted(found.get(s.key, {}))),
            found[s.key][max(found[s.key])] if s.key in found else None,
        )
        for s in strategies_for(area)
    ]


def coverage_summary(area, worked_on):
    """'3 of 5 strategies worked on', and which are still untouched."""
    rows = coverage(area, worked_on)
    done = [r for r in rows if r.sessions]
    return {
        "done": len(done),
        "total": len(rows),
        "untouched": [r.title for r in rows if not r.sessions],
        "rows": rows,
    }
