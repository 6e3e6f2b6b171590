"""The demo clinic's people and stories. Used by `manage.py seed_demo`."""

from datetime import date

from ipt.models import Role, User
from patients.models import Patient

DEMO_PASSWORD = "ipt-demo"

STAFF = [
    # username, first, last, role, supervisor username
    ("supervisor", "Helen", "Okafor", Role.SUPERVISOR, None),
    ("therapist", "Sam", "Reyes", Role.THERAPIST, "supervisor"),
    ("therapist2", "Priya", "Natarajan", Role.THERAPIST, "supervisor"),
    ("clinicadmin", "Alex", "Morgan", Role.CLINIC_ADMIN, None),
]

PATIENTS = [
    {
        "therapist": "therapist",
        "full_name": "Daniel Moreno",
        "preferred_name": "Dan",
        "date_of_birth": date(1979, 4, 12),
        "phone": "07700 900123",
        "email": "dan.moreno@example.org",
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
]


def seed():
    created = []
    staff = {}
    for username, first, last, role, supervisor in STAFF:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "supervisor": staff.get(supervisor),
                "email": f"{username}@clinic.example",
                "is_staff": role == Role.CLINIC_ADMIN,
                "is_superuser": role == Role.CLINIC_ADMIN,
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append(f"user {username}")
        staff[username] = user

    for vignette in PATIENTS:
        fields = dict(vignette)
        therapist = staff[fields.pop("therapist")]
        _, was_created = Patient.objects.get_or_create(
            therapist=therapist, full_name=fields.pop("full_name"), defaults=fields
        )
        if was_created:
            created.append(f"patient {vignette['full_name']}")
    return created
