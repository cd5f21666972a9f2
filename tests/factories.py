"""Factories. Tenants are not made here: they are session fixtures (schemas are slow)."""

from datetime import timedelta

import factory
from django.utils import timezone

from portal.accounts.models import Invitation, Membership, MembershipRole, StaffRole, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class CsmFactory(UserFactory):
    staff_role = StaffRole.CSM


class AdminFactory(UserFactory):
    staff_role = StaffRole.ADMIN
    is_staff = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = MembershipRole.CUSTOMER_MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = MembershipRole.CUSTOMER_MEMBER
    token_hash = factory.LazyFunction(lambda: Invitation.new_token()[1])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
