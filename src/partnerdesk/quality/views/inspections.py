"""PLACEHOLDER until the UI lands (this session)."""

from django.http import Http404


def standard_list(request, **kwargs):  # PLACEHOLDER
    raise Http404


def standard_create(request, **kwargs):  # PLACEHOLDER
    raise Http404


def standard_detail(request, **kwargs):  # PLACEHOLDER
    raise Http404


def standard_edit(request, **kwargs):  # PLACEHOLDER
    raise Http404


def parameter_edit(request, **kwargs):  # PLACEHOLDER
    raise Http404


def parameter_delete(request, **kwargs):  # PLACEHOLDER
    raise Http404


def lot_list(request, **kwargs):  # PLACEHOLDER
    raise Http404


def lot_todo(request, **kwargs):  # PLACEHOLDER
    raise Http404


def lot_open(request, **kwargs):  # PLACEHOLDER
    raise Http404


def lot_detail(request, **kwargs):  # PLACEHOLDER
    raise Http404


def lot_readings(request, **kwargs):  # PLACEHOLDER
    raise Http404


def lot_import(request, **kwargs):  # PLACEHOLDER
    raise Http404


def lot_dispose(request, **kwargs):  # PLACEHOLDER
    raise Http404


def sampling_list(request, **kwargs):  # PLACEHOLDER
    raise Http404


def sampling_resume(request, **kwargs):  # PLACEHOLDER
    raise Http404


def parameter_create(request, **kwargs):  # PLACEHOLDER
    raise Http404
