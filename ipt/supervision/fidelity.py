"""The IPT fidelity scale: six anchored items, the drift item, suggestions and agreement.

Pure data and functions (no database). Modelled on the published IPT adherence and quality
scales (Weissman, Markowitz & Klerman 2018; Stuart & Robertson): each item is scored 1-5, with
the anchors for 1, 3 and 5 written out; 2 and 4 lie between. The drift item records non-IPT
interventions seen in the session.

The keys of the first, second, third, fifth and sixth items are those of the earlier
five-element rating, whose elements they refine: ratings given before the anchors existed are
read on the same items (the old "use of IPT techniques" under technique fitted to the area).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    anchors: dict  # {1: text, 3: text, 5: text}


ITEMS = (
    Item(
        "mood_and_events",
        "Mood linked to interpersonal events",
        {
            1: "The mood or symptoms are reviewed, if at all, with no link to what happened "
            "with people in the week.",
            3: "The mood is reviewed and some interpersonal events are asked about, but the "
            "link between them is not drawn, or is drawn by the therapist alone.",
            5: "The mood check leads straight to the week's interpersonal events, and the "
            "patient is helped to see how the mood changed with them ('how were things with "
            "Maria when you felt lowest?').",
        },
    ),
    Item(
        "focal_area",
        "Focus kept on the agreed problem area",
        {
            1: "The session drifts: the agreed problem area is not addressed, or the talk is "
            "of general stress, the past or symptoms alone.",
            3: "The problem area is addressed for part of the session, but the therapist "
            "follows digressions and does not bring the work back to it.",
            5: "The work stays on the agreed problem area and its goals; other material is "
            "linked back to it or set aside, kindly and explicitly.",
        },
    ),
    Item(
        "techniques",
        "Technique fitted to the problem area and, for a dispute, its stage",
        {
            1: "The strategies do not fit the area: no mourning work in grief, no weighing of "
            "old and new role in a transition, or a dispute worked on without regard to its "
            "stage.",
            3: "The area's strategies are used but unevenly, or the dispute's stage is named "
            "without the strategy following it (e.g. coaching communication at an impasse).",
            5: "The strategies are those of the area and fitted to where the patient is: "
            "renegotiation worked through communication, an impasse opened up, a dissolution "
            "mourned; in grief the relationship reconstructed, good sides and bad.",
        },
    ),
    Item(
        "communication_analysis",
        "Communication analysis quality",
        {
            1: "No communication analysis where one was called for, or a general account "
            "('we argued') taken as it stands.",
            3: "A particular exchange is gone through, but not all four steps: what was said, "
            "what was meant, how it landed, and what else could have been said.",
            5: "A recent exchange is gone through line by line, what was meant set against "
            "how it landed, and alternatives worked out and role-played with the patient.",
        },
    ),
    Item(
        "stance",
        "Therapeutic stance: active, supportive ally, a coach not a ghostwriter",
        {
            1: "Passive or neutral, interpretive, or the opposite: the therapist tells the "
            "patient what to say and do (a ghostwriter).",
            3: "Warm and on the patient's side, but either too little active or doing some of "
            "the patient's work for them.",
            5: "Active and warm, on the patient's side; encourages affect, praises what the "
            "patient tries, and coaches the patient to find their own words and choices.",
        },
    ),
    Item(
        "homework",
        "Homework as interpersonal action",
        {
            1: "No homework set or reviewed, or a task with no person in it (a diary, a "
            "relaxation exercise).",
            3: "An interpersonal task is set or last week's is reviewed, but it is vague, or "
            "set by the therapist without the patient's own plan.",
            5: "Last week's task is reviewed for what happened with the other person, and a "
            "concrete, agreed interpersonal action is set, rehearsed where useful.",
        },
    ),
)

KEYS = tuple(item.key for item in ITEMS)
BY_KEY = {item.key: item for item in ITEMS}

SCORES = (
    (1, "1"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5"),
)

# The drift item: non-IPT interventions seen in the session.
DRIFT_LABEL = "Non-IPT interventions seen"
DRIFT_HINT = (
    "For example cognitive restructuring, thought records, behavioural activation schedules, "
    "exposure, or interpretation of the transference."
)
DRIFT_LEVELS = (
    ("none", "None"),
    ("some", "Some: brief, and the work returned to IPT"),
    ("substantial", "Substantial: a good part of the session was not IPT"),
)


@dataclass(frozen=True)
class RecordFacts:
    """What a session's record shows that bears on the scale (all counts, no judgement)."""

    mood_measured: bool = False
    events: int = 0
    focal_events: int = 0
    focal_work: bool = False  # focal notes, strategy notes or an area technique recorded
    analyses_full: int = 0  # communication analyses with all four steps written
    analyses_partial: int = 0
    homework_set: int = 0
    homework_with_person: int = 0
    homework_reviewed: int = 0


def suggest(facts):
    """{item key: suggested 1-5 score or None} from what the record shows.

    A record shows what was done, not how well: a suggestion stops at 4, and an item the
    record cannot speak to (the fit of the technique, the stance) is left for the rater.
    """
    if facts.focal_events and facts.mood_measured:
        mood = 4
    elif facts.events or facts.mood_measured:
        mood = 3 if facts.events else 2
    else:
        mood = 1
    if facts.analyses_full:
        analysis = 4
    elif facts.analyses_partial:
        analysis = 3
    else:
        analysis = None  # not every session calls for one: the rater decides
    if facts.homework_with_person:
        homework = 4 if facts.homework_reviewed else 3
    elif facts.homework_set or facts.homework_reviewed:
        homework = 2
    else:
        homework = 1
    return {
        "mood_and_events": mood,
        "focal_area": 3 if facts.focal_work or facts.focal_events else None,
        "techniques": None,
        "communication_analysis": analysis,
        "stance": None,
        "homework": homework,
    }


SAME, NEAR, APART = "same", "within 1 point", "apart by 2 or more"


def agreement(first, second):
    """Agreement of two 1-5 scores: SAME, NEAR, APART, or None when either is missing."""
    if first is None or second is None:
        return None
    gap = abs(first - second)
    return SAME if gap == 0 else NEAR if gap == 1 else APART


def compare(supervisor, therapist):
    """Rows (item, supervisor's score, therapist's score, agreement) over the six items,
    from two {key: score} maps; plus the count of items agreeing within a point."""
    rows = [(item, supervisor.get(item.key), therapist.get(item.key)) for item in ITEMS]
    rows = [(item, a, b, agreement(a, b)) for item, a, b in rows]
    both = [r for r in rows if r[3] is not None]
    close = sum(r[3] in (SAME, NEAR) for r in both)
    return rows, close, len(both)
