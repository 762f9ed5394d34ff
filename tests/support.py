"""Small helpers shared by the test modules (fixtures live in conftest.py)."""

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerdesk.audit.models import AuditEntry


def audit_rows(instance, pk=None) -> list[AuditEntry]:
    """The audit entries about one record, oldest first. Pass ``pk`` for a deleted record
    (Django clears ``instance.pk`` on delete)."""
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_id=str(pk if pk is not None else instance.pk),
        ).order_by("id")
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(media_root) -> list[str]:
    """Every file under MEDIA_ROOT, relative and sorted (an upload that was refused leaves none)."""
    if not media_root.exists():
        return []
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def assert_error(response, status: int, code: str, fields: dict | None = None) -> dict:
    """The API's single error shape; returns the error body for further checks."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "fields"}
    assert error["status"] == status
    assert error["code"] == code
    assert error["message"]
    if fields is not None:
        assert error["fields"] == fields
    return error


def restore_shipped_data() -> None:
    """Put back the rows the data migrations ship (metric library, review checklists, the
    default tolerance profile, finance metrics, the quality templates, defect types and
    metrics). Tests on ``transactional_db`` (the browser and
    the API fuzz) empty every table after each test, these rows included. Idempotent."""
    from importlib import import_module

    from django.apps import apps

    for module, functions in (
        ("partnerdesk.performance.migrations.0002_default_metrics", ["create_metrics"]),
        ("partnerdesk.finance.migrations.0002_default_checklists", ["load", "default_profile"]),
        ("partnerdesk.finance.migrations.0003_derived_metrics", ["add"]),
        ("partnerdesk.quality.migrations.0002_shipped_data", ["load"]),
    ):
        migration = import_module(module)
        for name in functions:
            getattr(migration, name)(apps, None)
