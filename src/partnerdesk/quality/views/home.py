"""PLACEHOLDER until the UI lands (this session)."""

from django.http import Http404


def quality_home(request, **kwargs):  # PLACEHOLDER
    raise Http404
