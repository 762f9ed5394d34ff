"""The OpenAPI names a schema after its class, so two classes of one name in the API (finance's
``Severity`` of match exceptions and quality's severity of inspection, finance's ``AnswerIn``
of review checks and the audit answer) share one component and one of them is documented
wrong: the fuzzer then finds valid answers that "violate" the schema. Every class the API uses
has a name of its own."""

import enum
import typing
from collections import defaultdict

from pydantic import BaseModel

from partnerdesk.api import api


def _walk(annotation, found: set, seen: set) -> None:
    if id(annotation) in seen:
        return
    seen.add(id(annotation))
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            found.add(annotation)
            for field in annotation.model_fields.values():
                _walk(field.annotation, found, seen)
            return
        if issubclass(annotation, enum.Enum):
            found.add(annotation)
            return
    for argument in typing.get_args(annotation):
        _walk(argument, found, seen)


def _routers(router):
    yield router
    for entry in router._routers:  # (prefix, router, tags); django-ninja keeps no public list
        yield from _routers(entry[1])


def api_classes() -> tuple[set, int]:
    """The classes of every operation's parameters and answers, and how many operations."""
    found, seen, operations = set(), set(), {}
    for entry in api._routers:
        for router in _routers(entry[1]):
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    # Once the URLs are built a parent router holds its children's operations
                    # too: each is counted once.
                    operations[operation.operation_id or id(operation)] = operation
    for operation in operations.values():
        for model in operation.models:
            _walk(model, found, seen)
        for model in (operation.response_models or {}).values():
            _walk(model, found, seen)
    return found, len(operations)


def test_every_class_in_the_api_has_a_name_of_its_own():
    classes, operations = api_classes()
    schema = api.get_openapi_schema()
    assert operations == sum(len(ops) for ops in schema["paths"].values())
    by_name = defaultdict(set)
    for cls in classes:
        if cls.__module__.startswith("partnerdesk"):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {"LotDetailOut", "InspectionSeverity", "Severity", "AuditAnswerIn"} <= by_name.keys()
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def test_inspection_severity_and_finance_severity_are_documented_apart():
    components = api.get_openapi_schema()["components"]["schemas"]
    assert components["Severity"]["enum"] == ["block", "warn"]
    assert components["InspectionSeverity"]["enum"] == [
        "normal",
        "tightened",
        "reduced",
        "discontinued",
    ]
    assert set(components["AnswerIn"]["properties"]) == {"outcome", "note"}
    assert {"yes", "value", "finding"} <= set(components["AuditAnswerIn"]["properties"])
