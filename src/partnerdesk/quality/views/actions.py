"""PLACEHOLDER until the UI lands (this session)."""

from django.http import Http404


def action_list(request, **kwargs):  # PLACEHOLDER
    raise Http404


def action_detail(request, **kwargs):  # PLACEHOLDER
    raise Http404


def effectiveness(request, **kwargs):  # PLACEHOLDER
    raise Http404


def action_close(request, **kwargs):  # PLACEHOLDER
    raise Http404


def stage_submit(request, **kwargs):  # PLACEHOLDER
    raise Http404


def stage_accept(request, **kwargs):  # PLACEHOLDER
    raise Http404


def stage_send_back(request, **kwargs):  # PLACEHOLDER
    raise Http404


def stage_due(request, **kwargs):  # PLACEHOLDER
    raise Http404
