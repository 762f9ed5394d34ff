"""PLACEHOLDER until the UI lands (this session)."""

from django.http import Http404


def audit_list(request, **kwargs):  # PLACEHOLDER
    raise Http404


def audit_create(request, **kwargs):  # PLACEHOLDER
    raise Http404


def audit_detail(request, **kwargs):  # PLACEHOLDER
    raise Http404


def audit_conduct(request, **kwargs):  # PLACEHOLDER
    raise Http404


def audit_report(request, **kwargs):  # PLACEHOLDER
    raise Http404


def audit_start(request, **kwargs):  # PLACEHOLDER
    raise Http404


def audit_close(request, **kwargs):  # PLACEHOLDER
    raise Http404


def audit_cancel(request, **kwargs):  # PLACEHOLDER
    raise Http404


def evidence_upload(request, **kwargs):  # PLACEHOLDER
    raise Http404


def answer_save(request, **kwargs):  # PLACEHOLDER
    raise Http404


def answer_nc(request, **kwargs):  # PLACEHOLDER
    raise Http404


def evidence_file(request, **kwargs):  # PLACEHOLDER
    raise Http404


def evidence_delete(request, **kwargs):  # PLACEHOLDER
    raise Http404


def schedule_list(request, **kwargs):  # PLACEHOLDER
    raise Http404


def schedule_create(request, **kwargs):  # PLACEHOLDER
    raise Http404


def schedule_edit(request, **kwargs):  # PLACEHOLDER
    raise Http404
