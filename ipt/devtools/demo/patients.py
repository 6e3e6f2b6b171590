"""The demo clinic's patients: who they are and why they were referred.

PATIENTS have a full record; MORE_PATIENTS, whose courses have ended or lost their rhythm,
only what a referral gives. Their courses are in vignettes_reyes.py and vignettes_natarajan.py.
"""

from datetime import date

PATIENTS = [
    {
        "therapist": "therapist",
        "full_name": "Daniel Moreno",
        "preferred_name": "Dan",
        "date_of_birth": date(1979, 4, 12),
        "phone": "07700 900123",
        "email": "dan.moreno@example.org",
        # He agreed to a reminder by email the day before each session.
        "session_reminders": True,
        "emergency_contact_name": "Rosa Moreno",
        "emergency_contact_relationship": "sister",
        "emergency_contact_phone": "07700 900456",
        "referral_source": "Dr Patel, Riverside GP Practice",
        "referral_reason": (
            "Low mood, poor sleep and withdrawal for three months since being made redundant "
            "from his warehouse manager job. Frequent arguments with his wife Maria about money "
            "and his spending the days at home."
        ),
    },
    {
        "therapist": "therapist",
        "full_name": "Margaret Ellis",
        "preferred_name": "Peggy",
        "date_of_birth": date(1954, 9, 3),
        "phone": "01632 960321",
        "email": "",
        "emergency_contact_name": "Claire Ellis",
        "emergency_contact_relationship": "daughter",
        "emergency_contact_phone": "07700 900789",
        "referral_source": "Community bereavement service",
        "referral_reason": (
            "Husband of 41 years, John, died suddenly eight months ago. Still unable to sort his "
            "belongings, has stopped going to her choir and church, eats little; tearful daily."
        ),
    },
    {
        "therapist": "therapist",
        "full_name": "Aisha Rahman",
        "preferred_name": "",
        "date_of_birth": date(1993, 1, 27),
        "phone": "07700 900654",
        "email": "aisha.r@example.org",
        "emergency_contact_name": "Imran Rahman",
        "emergency_contact_relationship": "husband",
        "emergency_contact_phone": "07700 900987",
        "referral_source": "Health visitor, North Road Children's Centre",
        "referral_reason": (
            "Baby son born four months ago, two months after the family moved cities for her "
            "husband's job. Knows nobody locally, misses her mother and her work as a pharmacist; "
            "PHQ-9 of 16 at the six-week check."
        ),
    },
    {
        "therapist": "therapist2",
        "full_name": "Tom Whitaker",
        "preferred_name": "",
        "date_of_birth": date(1998, 6, 30),
        "phone": "",
        "email": "t.whitaker@example.ac.uk",
        "emergency_contact_name": "Julie Whitaker",
        "emergency_contact_relationship": "mother",
        "emergency_contact_phone": "01632 960555",
        "referral_source": "University counselling service",
        "referral_reason": (
            "Third-year PhD student, long-standing isolation: no close friends since school, "
            "eats alone, avoids the lab's social events. Depressed for over a year, thesis stalled."
        ),
    },
    {
        "therapist": "therapist2",
        "full_name": "Grace Adeyemi",
        "preferred_name": "",
        "date_of_birth": date(1986, 11, 8),
        "phone": "07700 900222",
        "email": "",
        "emergency_contact_name": "Kunle Adeyemi",
        "emergency_contact_relationship": "brother",
        "emergency_contact_phone": "07700 900333",
        "referral_source": "Dr Evans, Hillside Surgery",
        "referral_reason": (
            "Recurrent depression; second episode began after her partner left last spring and "
            "she had to move back in with her parents. Conflict with her mother about the move."
        ),
    },
    {
        "therapist": "therapist",
        "full_name": "Owen Price",
        "preferred_name": "",
        "date_of_birth": date(1976, 8, 17),
        "phone": "07700 900741",
        "email": "",
        "emergency_contact_name": "Carol Price",
        "emergency_contact_relationship": "sister",
        "emergency_contact_phone": "07700 900742",
        "referral_source": "Dr Patel, Riverside GP Practice",
        "referral_reason": (
            "Low for two years; lives alone, works nights at a parcel depot and has no close "
            "friends. No recent loss or change. PHQ-9 of 15."
        ),
    },
    {
        "therapist": "therapist2",
        "full_name": "Lucy Brennan",
        "preferred_name": "",
        "date_of_birth": date(1982, 5, 19),
        "phone": "07700 900318",
        "email": "lucy.brennan@example.org",
        "emergency_contact_name": "Kate Doyle",
        "emergency_contact_relationship": "sister",
        "emergency_contact_phone": "07700 900319",
        "referral_source": "Dr Evans, Hillside Surgery",
        "referral_reason": (
            "Low mood and poor sleep for four months; rows with her husband Paul about his "
            "drinking and long hours, and feels she runs the home alone. PHQ-9 of 9; first episode."
        ),
    },
    {
        "therapist": "therapist2",
        "full_name": "Marcus Bell",
        "preferred_name": "",
        "date_of_birth": date(1978, 10, 2),
        "phone": "07700 900864",
        "email": "",
        "emergency_contact_name": "Dionne Clarke",
        "emergency_contact_relationship": "partner",
        "emergency_contact_phone": "07700 900865",
        "referral_source": "Dr Patel, Riverside GP Practice",
        "referral_reason": (
            "Off work for six months after a fall from scaffolding; a back injury may end his "
            "trade. Low, irritable, rarely leaves the house; his partner is working extra shifts."
        ),
    },
]


def _referred(therapist, full_name, date_of_birth, referral_reason):
    """A patient with only what the GP's referral gives."""
    return {
        "therapist": therapist,
        "full_name": full_name,
        "date_of_birth": date_of_birth,
        "phone": "07700 900" + str(100 + len(full_name)),
        "emergency_contact_name": "Next of kin on file",
        "emergency_contact_phone": "07700 900500",
        "referral_source": "GP",
        "referral_reason": referral_reason,
    }


# Courses that have ended, and one that has lost its rhythm: for outcomes and supervision.
MORE_PATIENTS = [
    _referred("therapist", "Robert Chen", date(1958, 2, 14),
              "Retired in the spring; lost his routine and his team; low and irritable at home."),
    _referred("therapist", "Sofia Marin", date(1990, 7, 2),
              "Depressed since her divorce a year ago; shares care of two children with her ex-husband."),
    _referred("therapist2", "Kwame Mensah", date(1975, 10, 21),
              "Recurrent depression; conflict with his brother over their father's care."),
    _referred("therapist2", "Olivia Grant", date(2001, 3, 9),
              "Low mood after moving away for her first job; lonely, hardly sleeping."),
    _referred("therapist2", "Hannah Kowalski", date(1983, 12, 5),
              "Depression after her mother's death in the winter."),
]  # fmt: skip
