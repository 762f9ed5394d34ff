"""PLACEHOLDER until the UI lands (this session)."""

from django.http import Http404


def nc_list(request, **kwargs):  # PLACEHOLDER
    raise Http404


def nc_create(request, **kwargs):  # PLACEHOLDER
    raise Http404


def nc_detail(request, **kwargs):  # PLACEHOLDER
    raise Http404


def nc_edit(request, **kwargs):  # PLACEHOLDER
    raise Http404


def nc_close(request, **kwargs):  # PLACEHOLDER
    raise Http404


def nc_cancel(request, **kwargs):  # PLACEHOLDER
    raise Http404


def action_open(request, **kwargs):  # PLACEHOLDER
    raise Http404
