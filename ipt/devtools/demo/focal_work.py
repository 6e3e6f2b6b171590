"""What the demo's middle sessions wrote under each problem area's IPT strategies, week by week
(sessions_app/strategies.py), and the decision analyses worked through in them."""

from sessions_app.models import DecisionAnalysis, StrategyNote

# Per area, one entry per middle session in turn: (strategy key, what was done).
STRATEGY_WORK = {
    "grief": (
        (
            (
                "story",
                "Told the story of {person}'s last weeks in hospital for the first time "
                "in full: the call at night, arriving too late, the funeral she 'got through on "
                "autopilot'. Cried for much of it; said afterwards it was a relief to say it.",
            ),
        ),
        (
            (
                "relationship",
                "Reconstructing the relationship: began with only the good ("
                "'she was a saint'). Asked about the hard times: {person}'s criticism of her "
                "marriage, the years they hardly spoke. Could hold both by the end.",
            ),
            (
                "feelings",
                "Guilt at not being there at the end; anger, surprising her, that "
                "{person} never said she was proud of her. Encouraged to stay with it.",
            ),
        ),
        (
            (
                "reminders",
                "The anniversary of the death is in three weeks and {person}'s "
                "birthday after that. Planned the day with {ally}: visit the grave, then lunch.",
            ),
            ("feelings", "Less guilt this week; sadness more than numbness."),
        ),
        (
            (
                "reconnecting",
                "Wants to go back to the choir she left when {person} fell ill; "
                "will ring the choir leader. Also to see her cousin, whom she has avoided.",
            ),
        ),
    ),
    "role_dispute": (
        (
            (
                "expectations",
                "He expects her to take on {person}'s care; she expects him to "
                "share it. Neither has said this aloud: the non-reciprocal expectation sits "
                "under every row about rotas.",
            ),
        ),
        (
            (
                "communication",
                "Communication analysis of Sunday's row: she went silent and "
                "left the room; {person} took the silence as agreement. Rehearsed saying what "
                "she needs in one sentence.",
            ),
        ),
        (
            (
                "options",
                "Options considered: go on as now (resentment grows); say plainly what "
                "she can and cannot do; ask a third person to mediate. Chose to say it plainly.",
            ),
            ("expectations", "Recognises she expected {person} to guess what she wanted."),
        ),
        (
            (
                "communication",
                "The talk happened: calmer than feared. {person} agreed to one "
                "weekend in two. Role-played how to respond if he backs out.",
            ),
        ),
    ),
    "role_transition": (
        (
            (
                "old_role",
                "The old role ({from_role}): the friends, the routine, being good "
                "at it. The bad side too: the pressure and the long hours she now forgets.",
            ),
        ),
        (
            (
                "loss",
                "What was lost: the people she saw every day, and a sense of who she "
                "was. Sadness and some anger at how abruptly it ended.",
            ),
            ("old_role", "Could name what she does not miss."),
        ),
        (
            (
                "new_role",
                "The new role ({to_role}): hard to see anything good in it at first. "
                "Found two: more time with {ally}, and the chance to choose what comes next.",
            ),
        ),
        (
            (
                "skills_support",
                "Skills the new role needs: asking for help, structuring the "
                "week. {ally} and a neighbour are supports; will join the local group.",
            ),
        ),
    ),
    "interpersonal_deficits": (
        (
            (
                "past_relationships",
                "Friendships at school and at work follow one pattern: "
                "close quickly, feels let down by a small slight, withdraws without a word. "
                "Has done this at least four times.",
            ),
        ),
        (
            (
                "therapeutic_relationship",
                "Nearly cancelled today after I ran five minutes "
                "late last week: the same pattern here. Talked about it in the room; he said it "
                "was the first time he had said such a thing to anyone.",
            ),
            ("steps_out", "One step: reply to his cousin's message this week."),
        ),
    ),
}


def write_strategy_notes(session, problem_area, ally, turn):
    """The session's notes under its area's strategies, from STRATEGY_WORK."""
    work = STRATEGY_WORK.get(problem_area.area)
    if not work:
        return
    for key, text in work[turn % len(work)]:
        StrategyNote.objects.create(
            session=session, problem_area=problem_area, key=key,
            text=text.format(
                person=problem_area.person.name if problem_area.person else ally.name,
                ally=ally.name, from_role=problem_area.from_role or "the old role",
                to_role=problem_area.to_role or "the new role",
            ),
        )  # fmt: skip


def decision_about(session, person, *, decision, options, choice, first_step):
    """A decision analysis; ``options`` are (option, for the patient, for the other person)."""
    fields = {}
    for n, (option, for_self, for_other) in enumerate(options, start=1):
        fields |= {f"option_{n}": option, f"option_{n}_self": for_self,
                   f"option_{n}_other": for_other}  # fmt: skip
    return DecisionAnalysis.objects.create(
        session=session, person=person, decision=decision, choice=choice,
        first_step=first_step, **fields,
    )  # fmt: skip


def notes(session, area, rows):
    """Explicit strategy notes: rows of (key, text) under one problem area (an Area value)."""
    problem_area = session.course.problem_areas.get(area=area)
    StrategyNote.objects.bulk_create(
        StrategyNote(session=session, problem_area=problem_area, key=key, text=text)
        for key, text in rows
    )
