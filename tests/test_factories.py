"""Every model of the project has a factory, and each factory builds a valid saved row."""

import inspect

import pytest
from django.apps import apps
from factory.django import DjangoModelFactory

from tests import factories

pytestmark = pytest.mark.django_db


def _factories() -> dict[str, type[DjangoModelFactory]]:
    found = {}
    for _name, obj in inspect.getmembers(factories, inspect.isclass):
        if issubclass(obj, DjangoModelFactory) and obj is not DjangoModelFactory:
            model = obj._meta.get_model_class()
            found[model._meta.label] = obj
    return found


def _project_models() -> list[str]:
    return sorted(
        m._meta.label for m in apps.get_models() if m.__module__.startswith("partnerdesk.")
    )


def test_every_model_has_a_factory():
    missing = sorted(set(_project_models()) - set(_factories()))
    assert missing == []


@pytest.mark.parametrize("label", _project_models())
def test_each_factory_saves_a_valid_row(label):
    instance = _factories()[label]()
    assert type(instance)._default_manager.filter(pk=instance.pk).exists()
