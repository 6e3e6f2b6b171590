from datetime import date

import factory

from ipt.models import Role, User
from patients.models import Patient


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.THERAPIST
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SupervisorFactory(UserFactory):
    role = Role.SUPERVISOR


class TherapistFactory(UserFactory):
    role = Role.THERAPIST
    supervisor = factory.SubFactory(SupervisorFactory)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    therapist = factory.SubFactory(TherapistFactory)
    full_name = factory.Faker("name")
    date_of_birth = date(1985, 5, 17)
    phone = "07700 900000"
    emergency_contact_name = "Next of Kin"
    emergency_contact_phone = "07700 900001"
    referral_source = "GP"
    referral_reason = "Low mood for several months."
