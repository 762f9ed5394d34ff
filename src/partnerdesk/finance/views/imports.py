"""The document import pages: upload a CSV or XLSX file of order, receipt or invoice lines,
map its columns (guessed from the headers, editable), preview what the import would do with
every row error, then apply it all or nothing. The file waits in the stash between the steps
(``import_files.stash_upload``; the daily prune removes abandoned ones)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_http_methods

from partnerdesk.core.errors import ApplicationError
from partnerdesk.finance.choices import ImportKind
from partnerdesk.finance.models import DocumentImport
from partnerdesk.finance.services import import_files, imports

SHOWN_ERRORS = 1000
DESTINATIONS = {
    ImportKind.PURCHASE_ORDERS: "finance:orders",
    ImportKind.RECEIPTS: "finance:receipts",
    ImportKind.INVOICES: "finance:invoices",
}


class ImportUploadForm(forms.Form):
    import_kind = forms.ChoiceField(label=gettext_lazy("The file holds"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8; comma, semicolon or tab) or Excel .xlsx, one row per document line, "
            "a header row first."
        ),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_kind"].choices = [(k, ImportKind(k).label) for k in kinds]


class ImportMappingForm(forms.Form):
    """Which column of the file holds each field (``col_<field>``)."""

    def __init__(self, *args, kind: str, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —"))] + [(h, h) for h in headers if h]
        for f in import_files.fields_of(kind):
            self.fields[f"col_{f.name}"] = forms.ChoiceField(
                label=f"{f.label} ({f.name})", choices=choices, required=f.required
            )

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): header or "" for name, header in self.cleaned_data.items()
        }


def _mapping_from(post, kind: str) -> dict[str, str] | None:
    """The mapping carried by the form (every field, "" for a field not read), or None."""
    names = import_files.field_names(kind)
    if not any(f"col_{name}" in post for name in names):
        return None
    return {name: post.get(f"col_{name}", "") for name in names}


def _full_mapping(kind: str, mapping: dict[str, str]) -> dict[str, str]:
    return {name: mapping.get(name, "") for name in import_files.field_names(kind)}


@require_http_methods(["GET", "POST"])
def document_import(request):
    user = request.user
    kinds = imports.allowed_kinds(user)
    if not kinds:
        raise Http404
    step = request.POST.get("step", "upload")
    if request.method == "GET" or step == "upload":
        return _upload(request, kinds)
    kind = request.POST.get("import_kind", "")
    stash = import_files.stashed_upload(user, request.POST)
    if kind not in kinds or stash is None:
        messages.error(request, _("The uploaded file is no longer here; upload it again."))
        return redirect("finance:document_import")
    stash["kind"] = kind
    mapping = _mapping_from(request.POST, kind)
    try:
        if step == "map":
            headers = _headers(user, stash, kind)
            form = ImportMappingForm(request.POST, kind=kind, headers=headers)
            if not form.is_valid():
                return _mapping_page(request, stash, form)
            return _preview_page(request, stash, form.mapping())
        if step == "remap":
            return _mapping_page(request, stash, _mapping_form(user, stash, kind, mapping))
        if step == "cancel":
            import_files.discard_stash(stash)
            return redirect("finance:document_import")
        return _apply(request, stash, mapping)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        import_files.discard_stash(stash)
        return redirect("finance:document_import")


def _upload(request, kinds):
    user = request.user
    initial = {"import_kind": request.GET.get("kind")} if request.GET.get("kind") in kinds else {}
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, kinds=kinds, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["import_kind"]
        uploaded = form.cleaned_data["file"]
        try:
            with import_files.open_import_file(uploaded, kind, None) as source:
                needs_mapping = source.needs_mapping
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            stash = import_files.stash_upload(user, uploaded)
            stash["kind"] = kind
            if needs_mapping:
                return _mapping_page(request, stash, _mapping_form(user, stash, kind, None))
            return _preview_page(request, stash, None)
    recent = DocumentImport.objects.restrict(user).select_related("uploaded_by")[:10]
    return render(
        request,
        "finance/import_upload.html",
        {
            "form": form,
            "recent": recent,
            "columns": [(ImportKind(k).label, import_files.fields_of(k)) for k in kinds],
        },
    )


def _headers(user, stash, kind) -> list[str]:
    with (
        import_files.StashedFile(stash) as handle,
        import_files.open_import_file(handle, kind, None) as source,
    ):
        return [h for h in source.headers if h]


def _mapping_form(user, stash, kind, mapping):
    with (
        import_files.StashedFile(stash) as handle,
        import_files.open_import_file(handle, kind, mapping) as source,
    ):
        headers = [h for h in source.headers if h]
        initial = {f"col_{name}": header for name, header in source.mapping.items()}
        errors = source.errors
    form = ImportMappingForm(initial=initial, kind=kind, headers=headers)
    form.file_errors = errors
    return form


def _mapping_page(request, stash, form):
    return render(
        request,
        "finance/import_map.html",
        {
            "stash": stash,
            "form": form,
            "errors": getattr(form, "file_errors", ()),
            "kind_label": ImportKind(stash["kind"]).label,
        },
    )


def _preview_page(request, stash, mapping, report=None):
    kind = stash["kind"]
    if report is None:
        with import_files.StashedFile(stash) as handle:
            report = imports.check_import(
                user=request.user, uploaded=handle, kind=kind, mapping=mapping
            )
    if report.needs_mapping:
        return _mapping_page(request, stash, _mapping_form(request.user, stash, kind, mapping))
    return render(
        request,
        "finance/import_preview.html",
        {
            "stash": stash,
            "report": report,
            "kind_label": ImportKind(kind).label,
            "mapping": _full_mapping(kind, report.mapping),
            "mapped": report.mapping,
            "errors": report.errors[:SHOWN_ERRORS],
            "more_rows": max(report.rows - len(report.preview), 0),
        },
    )


def _apply(request, stash, mapping):
    kind = stash["kind"]
    try:
        with import_files.StashedFile(stash) as handle:
            report = imports.import_documents(
                user=request.user, uploaded=handle, kind=kind, mapping=mapping
            )
    except imports.ImportRefused as exc:
        return _preview_page(request, stash, mapping, report=exc.report)
    import_files.discard_stash(stash)
    if report.already is not None:
        messages.info(request, report.already_text)
        return redirect("finance:document_import")
    messages.success(
        request,
        _(
            "Imported %(documents)s documents with %(created)s lines; %(unchanged)s rows were "
            "recorded already and left unchanged."
        )
        % {
            "documents": report.documents,
            "created": report.created,
            "unchanged": report.unchanged,
        },
    )
    if report.invoices_deferred:
        messages.info(
            request,
            _(
                "The %(n)s invoices of this large file are reviewed and matched by the "
                "background worker in the next minutes; until then they show as not matched "
                "yet and cannot be released."
            )
            % {"n": report.invoices_deferred},
        )
    return redirect(DESTINATIONS[kind])
