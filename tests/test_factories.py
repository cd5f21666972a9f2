"""tests.support.factories: one factory per Keel model, each making a valid row in its model's schema."""

import pytest
from django.apps import apps
from django.conf import settings

from tests.support.factories import (
    FACTORIES,
    ChecklistFactory,
    DomainFactory,
    MembershipFactory,
    TenantFactory,
    TenantKeyedFactory,
    TenantSchemaFactory,
)

KEEL_PACKAGES = ("portal", "onboarding", "metrics")


def _keel_models() -> set[str]:
    return {m._meta.label for m in apps.get_models() if m.__module__.split(".")[0] in KEEL_PACKAGES}


@pytest.mark.pure
def test_every_keel_model_has_exactly_one_factory():
    labels = [f._meta.get_model_class()._meta.label for f in FACTORIES]
    assert len(labels) == len(set(labels))
    assert set(labels) == _keel_models()


@pytest.mark.pure
def test_tenant_schema_models_and_only_those_have_tenant_schema_factories():
    tenant_apps = {c.label for c in apps.get_app_configs() if c.name in settings.TENANT_APPS}
    for f in FACTORIES:
        in_tenant_schema = f._meta.get_model_class()._meta.app_label in tenant_apps
        assert issubclass(f, TenantSchemaFactory) == in_tenant_schema, f.__name__


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_each_factory_makes_a_row_in_its_model_s_schema(factory, tenant_a):
    model = factory._meta.get_model_class()
    if issubclass(factory, TenantSchemaFactory):
        with tenant_a:
            row = factory()
            assert model.objects.filter(pk=row.pk).exists()
        return
    if factory is DomainFactory:
        row = factory(tenant=TenantFactory())  # alpha has its domain already
    elif issubclass(factory, TenantKeyedFactory) or "tenant" in {f.name for f in model._meta.fields}:
        row = factory(tenant=tenant_a) if factory is not TenantFactory else factory()
    else:
        row = factory()
    assert model.objects.filter(pk=row.pk).exists()


def test_a_tenant_schema_factory_refuses_the_public_schema():
    with pytest.raises(RuntimeError, match="inside the tenant's schema"):
        ChecklistFactory()


def test_a_tenant_keyed_factory_needs_its_tenant():
    with pytest.raises(TypeError, match="needs tenant="):
        MembershipFactory()
