"""Partner documents: upload checks (refuse with a reason, store neither row nor file),
confidentiality, update and delete."""

import hashlib
from pathlib import Path

import pytest

from partnerdesk.core.errors import Forbidden, InvalidInput
from partnerdesk.partners import services
from partnerdesk.partners.models import PartnerDocument
from tests.factories import PDF, PartnerDocumentFactory, PartnerFactory
from tests.support import audit_rows, stored_files, upload

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ALLOWED = ".csv, .docx, .jpeg, .jpg, .pdf, .png, .txt, .xlsx"


def media(settings) -> Path:
    return Path(settings.MEDIA_ROOT)


def test_upload_stores_the_file_under_its_hash_and_audits_it(outsourcing_user, settings):
    # Given a partner and a PDF
    partner = PartnerFactory()
    sha = hashlib.sha256(PDF).hexdigest()

    # When it is uploaded
    document = services.document_upload(
        user=outsourcing_user,
        partner=partner,
        uploaded_file=upload("Supply agreement.pdf", PDF),
        data={"document_type": "contract", "title": "Supply agreement"},
    )

    # Then the row describes the file, which is stored under its hash
    document = PartnerDocument.objects.get(pk=document.pk)
    assert document.original_name == "Supply agreement.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.sha256 == sha
    assert document.uploaded_by == outsourcing_user
    assert document.file.name == f"partners/{partner.pk}/{sha[:2]}/{sha}"
    assert stored_files(media(settings)) == [document.file.name]
    assert (media(settings) / document.file.name).read_bytes() == PDF
    # and the upload is audited, not confidential
    [entry] = audit_rows(document)
    assert entry.action == "create"
    assert entry.confidential is False
    assert entry.changes["file"] == [None, document.file.name]
    assert entry.changes["sha256"] == [None, sha]


def test_upload_without_a_title_uses_the_file_name(outsourcing_user):
    document = services.document_upload(
        user=outsourcing_user,
        partner=PartnerFactory(),
        uploaded_file=upload("nda-2026.pdf", PDF),
        data={"document_type": "nda", "title": "  "},
    )

    assert document.title == "nda-2026.pdf"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "setup.exe",
            b"MZ\x90\x00",
            f"Files of type “.exe” are not accepted. Allowed: {ALLOWED}.",
            id="wrong-extension",
        ),
        pytest.param(
            "README",
            b"hello",
            f"Files of type “no extension” are not accepted. Allowed: {ALLOWED}.",
            id="no-extension",
        ),
        pytest.param("empty.pdf", b"", "The file is empty.", id="empty"),
        pytest.param(
            "notes.pdf",
            b"Just some text, not a PDF.\n",
            "The file's content is not a .pdf file.",
            id="text-named-pdf",
        ),
        pytest.param(
            "photo.png", PDF, "The file's content is not a .png file.", id="pdf-named-png"
        ),
        pytest.param(
            "tool.docx", b"MZ\x90\x00rest", "The file's content is not a .docx file.", id="exe-docx"
        ),
        pytest.param(
            "prices.csv",
            b"part,price\nA-1,\x0012.50\n",
            "The file is not readable text (UTF-8).",
            id="nul-in-csv",
        ),
        pytest.param(
            "names.txt",
            "name\nJosé\n".encode("latin-1"),
            "The file is not readable text (UTF-8).",
            id="short-latin1-txt",
        ),
        pytest.param(
            "cafe.txt",
            "Café".encode("latin-1"),
            "The file is not readable text (UTF-8).",
            id="latin1-at-the-very-end",
        ),
    ],
)
def test_upload_refuses_bad_files_with_a_reason_and_stores_nothing(
    outsourcing_user, settings, name, content, message
):
    # Given a partner
    partner = PartnerFactory()

    # When a bad file is uploaded
    with pytest.raises(InvalidInput) as exc:
        services.document_upload(
            user=outsourcing_user,
            partner=partner,
            uploaded_file=upload(name, content),
            data={"document_type": "other"},
        )

    # Then the reason is given on the file field, and no row, file or audit row remains
    assert exc.value.message == message
    assert exc.value.fields == {"file": [message]}
    assert PartnerDocument.objects.count() == 0
    assert stored_files(media(settings)) == []


def test_upload_refuses_a_file_over_the_limit(outsourcing_user, settings):
    # Given a limit of 100 bytes
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 100
    content = PDF + b"%" * (101 - len(PDF))

    # When a 101-byte PDF is uploaded
    with pytest.raises(InvalidInput) as exc:
        services.document_upload(
            user=outsourcing_user,
            partner=PartnerFactory(),
            uploaded_file=upload("big.pdf", content),
            data={"document_type": "contract"},
        )

    # Then it is refused with both sizes and nothing is stored
    # (filesizeformat joins number and unit with a no-break space)
    assert exc.value.fields == {
        "file": ["The file is 101\N{NO-BREAK SPACE}bytes; the limit is 100\N{NO-BREAK SPACE}bytes."]
    }
    assert PartnerDocument.objects.count() == 0
    assert stored_files(media(settings)) == []


def test_upload_at_exactly_the_limit_is_accepted(outsourcing_user, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 100
    content = PDF + b"%" * (100 - len(PDF))

    document = services.document_upload(
        user=outsourcing_user,
        partner=PartnerFactory(),
        uploaded_file=upload("limit.pdf", content),
        data={"document_type": "contract"},
    )

    assert document.size == 100


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.PNG", PNG, "image/png"),
        ("prices.csv", "part;price\nA-1;12,50 ¥\n".encode(), "text/csv"),
        ("readme.txt", "说明\n".encode() * 2000, "text/plain"),
    ],
)
def test_upload_accepts_allowed_kinds(outsourcing_user, name, content, content_type):
    # The .txt sample is longer than the 4 KiB sniffed, so a character is cut at its end.
    document = services.document_upload(
        user=outsourcing_user,
        partner=PartnerFactory(),
        uploaded_file=upload(name, content),
        data={"document_type": "other"},
    )

    assert document.content_type == content_type


def test_an_invalid_date_range_removes_the_stored_file_again(outsourcing_user, settings):
    # Given valid content but a validity that ends before it starts
    data = {"document_type": "contract", "valid_from": "2026-05-01", "valid_until": "2026-01-01"}

    # When it is uploaded
    with pytest.raises(InvalidInput) as exc:
        services.document_upload(
            user=outsourcing_user,
            partner=PartnerFactory(),
            uploaded_file=upload("contract.pdf", PDF),
            data=data,
        )

    # Then it is refused, and the file written before validation is gone
    assert exc.value.fields == {"valid_until": ["The validity ends before it starts."]}
    assert PartnerDocument.objects.count() == 0
    assert stored_files(media(settings)) == []


def test_a_confidential_upload_needs_the_confidential_permission(make_user, settings):
    # Given a quality user: may add documents, may not see confidential ones
    user = make_user("quality")

    # When they upload a confidential document
    with pytest.raises(Forbidden) as exc:
        services.document_upload(
            user=user,
            partner=PartnerFactory(),
            uploaded_file=upload("bank.pdf", PDF),
            data={"document_type": "bank_details", "confidential": True},
        )

    # Then they are refused and nothing is stored
    assert exc.value.message == (
        "You are not allowed to do this (needs partners.view_confidential_partnerdocument)."
    )
    assert PartnerDocument.objects.count() == 0
    assert stored_files(media(settings)) == []


def test_compliance_uploads_a_confidential_document_with_a_confidential_audit_row(make_user):
    document = services.document_upload(
        user=make_user("compliance"),
        partner=PartnerFactory(),
        uploaded_file=upload("bank.pdf", PDF),
        data={"document_type": "bank_details", "confidential": True},
    )

    assert document.confidential is True
    [entry] = audit_rows(document)
    assert entry.confidential is True


def test_marking_a_document_confidential_needs_the_permission(make_user):
    # Given a document and a quality user (may change documents, not confidential ones)
    document = PartnerDocumentFactory(title="Price list")

    # When they mark it confidential
    with pytest.raises(Forbidden):
        services.document_update(
            user=make_user("quality"), document=document, data={"confidential": True}
        )

    # Then it is unchanged
    document.refresh_from_db()
    assert document.confidential is False
    assert audit_rows(document) == []


def test_document_update_audits_the_change(make_user):
    quality = make_user("quality")
    document = PartnerDocumentFactory(title="Old title", uploaded_by=quality)

    services.document_update(user=quality, document=document, data={"title": "New title"})

    assert audit_rows(document)[-1].changes == {"title": ["Old title", "New title"]}


def test_a_document_stays_editable_after_its_uploader_is_deleted(make_user):
    # Given a document whose uploader's account was deleted
    uploader = make_user("quality")
    document = PartnerDocumentFactory(title="Old title", uploaded_by=uploader)
    uploader.delete()
    document.refresh_from_db()
    assert document.uploaded_by is None

    # When another user changes its title
    services.document_update(
        user=make_user("quality"), document=document, data={"title": "New title"}
    )

    # Then the change is saved
    document.refresh_from_db()
    assert document.title == "New title"


def test_document_delete_removes_row_and_file_after_commit(
    outsourcing_user, settings, django_capture_on_commit_callbacks
):
    # Given an uploaded document
    document = services.document_upload(
        user=outsourcing_user,
        partner=PartnerFactory(),
        uploaded_file=upload("contract.pdf", PDF),
        data={"document_type": "contract"},
    )
    name, pk = document.file.name, document.pk

    # When it is deleted and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(user=outsourcing_user, document=document)

    # Then the row and the file are gone and the deletion is audited
    assert PartnerDocument.objects.count() == 0
    assert stored_files(media(settings)) == []
    rows = audit_rows(document, pk)
    assert [e.action for e in rows] == ["create", "delete"]
    assert rows[-1].changes["file"] == [name, None]


def test_document_delete_needs_the_permission(make_user, settings):
    document = PartnerDocumentFactory()

    with pytest.raises(Forbidden):
        services.document_delete(user=make_user("quality"), document=document)

    assert PartnerDocument.objects.filter(pk=document.pk).exists()
