"""Who may join an IPT group: pure rules, no database access.

IPT (WHO Group IPT, 2016): each member first has an individual pre-group session (suitability,
diagnosis with a baseline PHQ-9, sick role, inventory, problem area and goals, agreement to the
group's rules); a group has a limited number of places (6-10) and takes members while it is
forming or running, never once it is closing.
"""

from dataclasses import dataclass

GROUP_SESSIONS_MIN, GROUP_SESSIONS_MAX, GROUP_SESSIONS_DEFAULT = 8, 12, 8
MEMBER_LIMIT_MIN, MEMBER_LIMIT_MAX, MEMBER_LIMIT_DEFAULT = 6, 10, 8
# The pre-group session covers these initial-phase steps (ipt/course/steps.py keys).
PRE_GROUP_STEPS = ("suitability", "diagnosis", "sick_role", "inventory", "problem_areas")


@dataclass(frozen=True)
class Candidate:
    is_group_course: bool
    is_active: bool
    already_member: bool
    steps_missing: tuple[str, ...]  # titles of pre-group steps not yet done


def join_refusals(candidate, *, group_open, members, limit):
    """Why this course cannot join the group now (empty when it can)."""
    reasons = []
    if not group_open:
        reasons.append("The group no longer takes members: it is closing or has ended.")
    if not candidate.is_group_course:
        reasons.append("Only a course of group IPT can join a group.")
    if not candidate.is_active:
        reasons.append("The course is closed.")
    if candidate.already_member:
        reasons.append("This course is already in a group.")
    if members >= limit:
        reasons.append(f"The group is full ({limit} members).")
    if candidate.steps_missing:
        reasons.append(
            "The pre-group session is not finished: "
            + ", ".join(candidate.steps_missing).lower()
            + "."
        )
    return reasons


# --- a group session: who came, and what a member who came brought ------------------------------
PRESENT, LATE, ABSENT = "present", "late", "absent"
CAME = (PRESENT, LATE)
MOOD_MIN, MOOD_MAX = 0, 10


def parse_phq9(text):
    """Nine PHQ-9 answers typed as digits 0-3 ("2 1 1 0 2 1 1 0 0" or "211021100"), item 1 first;
    None when the text is not nine such answers."""
    digits = [c for c in text if not c.isspace() and c != ","]
    if len(digits) != 9 or any(c not in "0123" for c in digits):
        return None
    return tuple(int(c) for c in digits)


def entry_errors(*, attendance, reason, mood, phq9, event, action):
    """What is wrong with one member's entry of a group session, as {field: message}.

    A member who was absent has a reason and nothing else (their mood, event and action are
    only what they brought to the group); mood is 0-10; a PHQ-9 is nine answers of 0-3."""
    errors = {}
    if attendance not in (PRESENT, LATE, ABSENT):
        errors["attendance"] = "Say whether the member came, came late or was absent."
    if attendance == ABSENT:
        if not reason.strip():
            errors["reason"] = "Give the reason the member was absent, or 'not known'."
        for field, value in (("mood", mood), ("phq9", phq9), ("event", event), ("action", action)):
            if value not in (None, ""):
                errors[field] = "Only for a member who came: clear it, or mark them present."
        return errors
    if mood is not None and not MOOD_MIN <= mood <= MOOD_MAX:
        errors["mood"] = f"A mood from {MOOD_MIN} (worst) to {MOOD_MAX} (best)."
    if phq9 and parse_phq9(phq9) is None:
        errors["phq9"] = "Nine answers, each 0 to 3, item 1 first: for example 2 1 1 0 2 1 1 0 0."
    return errors


def members_refusals(entered, current):
    """Entries must be for exactly the group's current members (ids), one each."""
    entered, current = list(entered), set(current)
    reasons = []
    if len(entered) != len(set(entered)):
        reasons.append("Each member is recorded once.")
    if set(entered) - current:
        reasons.append("Only the group's current members are recorded.")
    if current - set(entered):
        reasons.append("Record every current member's attendance.")
    return reasons


# --- the facilitator's fidelity checklist (WHO Group IPT), in plain words -------------------
# Four marks of a group IPT session that a lay facilitator can tick after it. The first is
# per member who came: IPT links mood to what happens between people.
LINK_ITEM = "Linked how they felt to something that happened with another person"
GROUP_ITEMS = {
    "problem_area_work": "We worked on members' problem areas (grief, a disagreement, "
    "a life change, or feeling alone)",
    "members_helped": "Members helped each other (ideas, support, practising what to say)",
    "action_plans": "Every member who came left with a plan for the week",
}


@dataclass(frozen=True)
class Checklist:
    """A filled checklist: how many members who came made the mood-event link, and the three
    group items."""

    came: int
    linked: int
    items: dict  # GROUP_ITEMS key -> ticked

    @property
    def met(self):
        return (self.linked == self.came) + sum(bool(v) for v in self.items.values())

    @property
    def total(self):
        return 1 + len(self.items)

    @property
    def missed(self):
        """What was not done, in the checklist's words, for the supervisor."""
        out = []
        if self.linked < self.came:
            out.append(f"Mood linked to an event by {self.linked} of {self.came} members who came")
        out.extend(GROUP_ITEMS[k] for k, v in self.items.items() if not v)
        return out


# --- correcting a held group session ----------------------------------------------------------
def correction_refusals(before, after, *, finalised, has_measure, has_rows):
    """Why one member's correction cannot be made (``before``/``after``: dicts of attendance,
    reason, mood). A finalised member session is never changed; a member who came and has a
    PHQ-9, an event or an action recorded is not made absent behind that record's back."""
    if before == after:
        return []
    if finalised:
        return ["their session is finalised: add a dated addendum to it instead."]
    reasons = []
    if after["attendance"] == ABSENT and before["attendance"] in CAME:
        if has_measure:
            reasons.append("a PHQ-9 was recorded for them at this session, so they came.")
        if has_rows:
            reasons.append(
                "their session has an event or an action recorded: remove it in their own "
                "session first, or keep them as present."
            )
    return reasons


def describe_change(first_name, before, after):
    """One line of the correction's record: "Ben: absent (Ill) → present; mood – → 6"."""
    parts = []

    def att(row):
        return row["attendance"] + (f" ({row['reason']})" if row.get("reason") else "")

    if (before["attendance"], before["reason"]) != (after["attendance"], after["reason"]):
        parts.append(f"{att(before)} → {att(after)}")
    if before["mood"] != after["mood"]:
        show = lambda m: "–" if m is None else str(m)  # noqa: E731
        parts.append(f"mood {show(before['mood'])} → {show(after['mood'])}")
    return f"{first_name}: " + "; ".join(parts) if parts else ""


# --- the group's ending -----------------------------------------------------------------------
@dataclass(frozen=True)
class MemberEnding:
    first_name: str
    reviewed: bool  # progress review written
    relapse_plan: bool  # relapse-prevention plan written
    plan_noted: bool  # their plan noted in the group's ending record


def ending_refusals(*, ended, sessions_held, planned, unfinalised, achieved, feelings, members):
    """Why the group cannot be ended yet (empty when it can). IPT termination, done together:
    every planned group session held and closed, what the group achieved and the feelings
    about ending written, and each member's progress review, relapse plan and plan noted."""
    if ended:
        return ["The group has already ended."]
    reasons = []
    if sessions_held < planned:
        reasons.append(
            f"{sessions_held} of the {planned} planned group sessions are recorded as held: "
            "hold the last one first."
        )
    if unfinalised:
        reasons.append(
            "Finalise group session" + ("s " if len(unfinalised) > 1 else " ")
            + ", ".join(str(n) for n in unfinalised) + " first."
        )  # fmt: skip
    if not achieved.strip():
        reasons.append("Write what the group achieved.")
    if not feelings.strip():
        reasons.append("Write how members felt about the group ending.")
    for m in members:
        missing = [
            what
            for what, done in (
                ("the progress review", m.reviewed),
                ("the relapse-prevention plan", m.relapse_plan),
                ("their plan noted here", m.plan_noted),
            )
            if not done
        ]
        if missing:
            listed = (
                ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
            )
            reasons.append(f"{m.first_name} still needs {listed}.")
    return reasons
