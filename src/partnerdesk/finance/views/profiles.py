"""Tolerance profiles (list, create, edit, delete) and item categories (list, create)."""

import copy

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import save_form
from partnerdesk.finance.forms import ItemCategoryForm, ToleranceProfileForm
from partnerdesk.finance.models import ItemCategory, ToleranceProfile
from partnerdesk.finance.services.profiles import (
    category_create,
    profile_create,
    profile_delete,
    profile_update,
)
from partnerdesk.partners.models import Partner

PROFILE_FIELDS = ToleranceProfileForm.Meta.fields


def _profile(request, pk, action: str) -> ToleranceProfile:
    try:
        return (
            ToleranceProfile.objects.restrict(request.user, action)
            .select_related("partner", "category")
            .get(pk=pk)
        )
    except ToleranceProfile.DoesNotExist as exc:
        raise Http404 from exc


def profile_list(request):
    user = request.user
    if not can(user, "view", ToleranceProfile):
        raise Http404
    profiles = (
        ToleranceProfile.objects.restrict(user)
        .select_related("partner", "category")
        .order_by("partner__code", "category__code", "name")
    )
    return render(
        request,
        "finance/profile_list.html",
        {
            "profiles": profiles,
            "can_add": can(user, "add", ToleranceProfile),
            "can_change": can(user, "change", ToleranceProfile),
            "can_delete": can(user, "delete", ToleranceProfile),
            "may_view_categories": can(user, "view", ItemCategory),
        },
    )


def _partners(user):
    return Partner.objects.restrict(user).order_by("code")


def _values(form) -> dict:
    return {name: form.cleaned_data.get(name) for name in PROFILE_FIELDS}


@require_http_methods(["GET", "POST"])
def profile_create_view(request):
    user = request.user
    if not can(user, "add", ToleranceProfile):
        raise Http404
    form = ToleranceProfileForm(request.POST or None, partners=_partners(user))
    if request.method == "POST":
        created = save_form(
            request,
            form,
            lambda data: profile_create(user=user, data=_values(form)),
            success_message=_("Tolerance profile created."),
        )
        if created:
            return redirect("finance:profiles")
    return render(
        request,
        "finance/profile_form.html",
        {"form": form, "profile": None},
    )


@require_http_methods(["GET", "POST"])
def profile_edit(request, pk):
    profile = _profile(request, pk, "change")
    user = request.user
    form = ToleranceProfileForm(
        request.POST or None, instance=copy.copy(profile), partners=_partners(user)
    )
    if request.method == "POST":
        updated = save_form(
            request,
            form,
            lambda data: profile_update(user=user, profile=profile, data=_values(form)),
            success_message=_("Tolerance profile saved."),
        )
        if updated:
            return redirect("finance:profiles")
    return render(request, "finance/profile_form.html", {"form": form, "profile": profile})


@require_http_methods(["GET", "POST"])
def profile_delete_view(request, pk):
    profile = _profile(request, pk, "delete")
    error = None
    if request.method == "POST":
        try:
            profile_delete(user=request.user, profile=profile)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Tolerance profile deleted."))
            return redirect("finance:profiles")
    return render(
        request,
        "finance/profile_delete.html",
        {"object": profile, "cancel_url": reverse("finance:profiles"), "error": error},
    )


@require_http_methods(["GET", "POST"])
def category_list(request):
    user = request.user
    if not can(user, "view", ItemCategory):
        raise Http404
    may_add = can(user, "add", ItemCategory)
    form = ItemCategoryForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if not may_add:
            raise Http404
        if save_form(
            request,
            form,
            lambda data: category_create(user=user, data=data),
            success_message=_("Category added."),
        ):
            return redirect("finance:categories")
    return render(
        request,
        "finance/category_list.html",
        {"categories": ItemCategory.objects.restrict(user).order_by("code"), "form": form},
    )
