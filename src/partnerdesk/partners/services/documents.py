"""Uploading partner documents with type and size checks."""

import hashlib
import os

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from partnerdesk.audit.models import AuditAction
from partnerdesk.audit.services import record_change, snapshot
from partnerdesk.core.errors import InvalidInput
from partnerdesk.core.services import assign_fields, require_perm, validate_and_save
from partnerdesk.partners.choices import ALLOWED_UPLOADS
from partnerdesk.partners.models import Partner, PartnerDocument

DOCUMENT_FIELDS = {"document_type", "title", "valid_from", "valid_until", "confidential"}

# How much of a file is read to check its content.
_SNIFF_BYTES = 4096

# The first bytes each kind of file must start with.
_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".xlsx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
}


def _refuse(message: str):
    raise InvalidInput(message, fields={"file": [message]})


def check_upload(uploaded_file) -> tuple[str, str, int]:
    """Check an uploaded file's name, size and content; return (extension, content type, size).

    Refuses with a reason: an unknown extension, an empty or oversized file, or content that
    does not match its extension (a renamed executable, a text file called .pdf).
    """
    if uploaded_file is None:
        _refuse(_("Choose a file to upload."))
    name = os.path.basename(uploaded_file.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_UPLOADS:
        allowed = ", ".join(sorted(ALLOWED_UPLOADS))
        _refuse(
            _("Files of type “%(ext)s” are not accepted. Allowed: %(allowed)s.")
            % {"ext": extension or _("no extension"), "allowed": allowed}
        )
    size = uploaded_file.size or 0
    if size == 0:
        _refuse(_("The file is empty."))
    limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
    if size > limit:
        _refuse(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(_SNIFF_BYTES)
    uploaded_file.seek(0)
    signatures = _SIGNATURES.get(extension)
    if signatures and not head.startswith(signatures):
        _refuse(_("The file's content is not a %(ext)s file.") % {"ext": extension})
    if extension in (".csv", ".txt") and not _looks_like_text(head):
        _refuse(_("The file is not readable text (UTF-8)."))
    return extension, ALLOWED_UPLOADS[extension][0], size


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of a full sample is fine; any other bad byte
        # (a Latin-1 "é" near the end of a short file too) is not UTF-8.
        return len(head) == _SNIFF_BYTES and exc.reason == "unexpected end of data"
    return True


def _sha256(uploaded_file) -> str:
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


@transaction.atomic
def document_upload(*, user, partner: Partner, uploaded_file, data: dict) -> PartnerDocument:
    require_perm(user, "partners.add_partnerdocument")
    if data.get("confidential"):
        require_perm(user, "partners.view_confidential_partnerdocument")
    _, content_type, size = check_upload(uploaded_file)
    document = PartnerDocument(
        partner=partner,
        original_name=os.path.basename(uploaded_file.name)[:255],
        content_type=content_type,
        size=size,
        sha256=_sha256(uploaded_file),
        uploaded_by=user,
    )
    assign_fields(document, data, DOCUMENT_FIELDS)
    if not (document.title or "").strip():
        document.title = document.original_name
    document.file.save(document.original_name, uploaded_file, save=False)
    # If validation or the audit row fails, the stored file is removed again.
    try:
        validate_and_save(document)
        record_change(actor=user, instance=document, action=AuditAction.CREATE)
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def document_update(*, user, document: PartnerDocument, data: dict) -> PartnerDocument:
    require_perm(user, "partners.change_partnerdocument")
    if "confidential" in data and bool(data["confidential"]) != document.confidential:
        require_perm(user, "partners.view_confidential_partnerdocument")
    document = PartnerDocument.objects.select_for_update().get(pk=document.pk)
    before = snapshot(document)
    assign_fields(document, data, DOCUMENT_FIELDS)
    validate_and_save(document)
    record_change(actor=user, instance=document, action=AuditAction.UPDATE, before=before)
    return document


@transaction.atomic
def document_delete(*, user, document: PartnerDocument) -> None:
    require_perm(user, "partners.delete_partnerdocument")
    record_change(
        actor=user, instance=document, action=AuditAction.DELETE, before=snapshot(document)
    )
    stored = document.file
    document.delete()
    # Remove the file only once the deletion is committed.
    transaction.on_commit(lambda: stored.storage.delete(stored.name))
