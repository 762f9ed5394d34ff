"""PLACEHOLDER until the UI lands (this session)."""

from django.http import Http404


def template_list(request, **kwargs):  # PLACEHOLDER
    raise Http404


def template_create(request, **kwargs):  # PLACEHOLDER
    raise Http404


def template_detail(request, **kwargs):  # PLACEHOLDER
    raise Http404


def template_edit(request, **kwargs):  # PLACEHOLDER
    raise Http404


def section_create(request, **kwargs):  # PLACEHOLDER
    raise Http404


def section_edit(request, **kwargs):  # PLACEHOLDER
    raise Http404


def section_delete(request, **kwargs):  # PLACEHOLDER
    raise Http404


def question_create(request, **kwargs):  # PLACEHOLDER
    raise Http404


def question_edit(request, **kwargs):  # PLACEHOLDER
    raise Http404


def question_delete(request, **kwargs):  # PLACEHOLDER
    raise Http404
