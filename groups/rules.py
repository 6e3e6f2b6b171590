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
