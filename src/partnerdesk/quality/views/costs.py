"""PLACEHOLDER until the UI lands (this session)."""

from django.http import Http404


def cost_list(request, **kwargs):  # PLACEHOLDER
    raise Http404


def cost_create(request, **kwargs):  # PLACEHOLDER
    raise Http404


def cost_correct(request, **kwargs):  # PLACEHOLDER
    raise Http404
