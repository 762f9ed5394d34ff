"""The exception queue: the list with the totals per type, and an exception's page with its
evidence, owner, resolution, second approval, the credit note received and its history."""

from decimal import Decimal

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.currencies import quantize
from partnerdesk.core.listing import build_list
from partnerdesk.core.permissions import can
from partnerdesk.core.views_helpers import render_list, save_form
from partnerdesk.finance import selectors
from partnerdesk.finance.choices import ExceptionStatus, ExceptionType, Severity
from partnerdesk.finance.filters import EXCEPTION_SORTS, ExceptionFilter
from partnerdesk.finance.forms import ApproveForm, AssignForm, CreditNoteForm, ResolveForm
from partnerdesk.finance.models import MatchException
from partnerdesk.finance.services.exceptions import (
    OPEN_STATES,
    exception_approve,
    exception_assign,
    exception_record_credit_note,
    exception_resolve,
)
from partnerdesk.finance.views.common import get_or_404
from partnerdesk.finance.views.orders import partner_choices


def _totals(user) -> list[dict]:
    """Open exceptions per type, each with its severities and money at stake per currency."""
    by_type: dict[str, dict] = {}
    for row in selectors.exception_totals(user=user):
        entry = by_type.setdefault(
            row["type"],
            {
                "type": row["type"],
                "label": ExceptionType(row["type"]).label,
                "count": 0,
                "blocking": 0,
                "amounts": {},
            },
        )
        entry["count"] += row["n"]
        if row["severity"] == Severity.BLOCK:
            entry["blocking"] += row["n"]
        amounts = entry["amounts"]
        amount = quantize(Decimal(str(row["at_stake"] or 0)), row["currency"])
        amounts[row["currency"]] = amounts.get(row["currency"], Decimal(0)) + amount
    return sorted(by_type.values(), key=lambda e: -e["count"])


def exception_list(request):
    user = request.user
    if not can(user, "view", MatchException):
        raise Http404
    state = build_list(
        request,
        selectors.exception_list(user=user),
        filter_schema=ExceptionFilter,
        sorts=EXCEPTION_SORTS,
        default_sort="-opened_at",
    )
    context = {
        "list": state,
        "totals": _totals(user),
        "types": ExceptionType.choices,
        "severities": Severity.choices,
        "statuses": ExceptionStatus.choices,
        "partners": partner_choices(user),
        "columns": [
            ("opened_at", _("Opened")),
            ("type", _("Type")),
            ("partner", _("Partner")),
            ("amount_at_stake", _("At stake")),
            ("status", _("Status")),
        ],
    }
    return render_list(
        request, "finance/exception_list.html", "finance/_exception_results.html", context
    )


def _perms(user, exception) -> dict:
    resolver = user.has_perm("finance.resolve_matchexception")
    return {
        "assign": resolver and exception.status != ExceptionStatus.RESOLVED,
        "resolve": resolver and exception.status in OPEN_STATES,
        "approve": user.has_perm("finance.approve_matchexception")
        and exception.status == ExceptionStatus.AWAITING_APPROVAL
        and exception.resolved_by_id != user.pk,
        "credit": resolver and exception.status == ExceptionStatus.AWAITING_CREDIT,
    }


@require_http_methods(["GET", "POST"])
def exception_detail(request, pk):
    user = request.user
    exception = get_or_404(selectors.exception_get, user=user, pk=pk)
    perms = _perms(user, exception)
    workers = selectors.exception_workers()
    credit_notes = selectors.credit_notes_for(user=user, exception=exception)
    post = request.POST if request.method == "POST" else None
    action = post.get("action", "") if post is not None else ""
    if post is not None and not perms.get("approve" if action == "decide" else action):
        raise Http404
    forms = {
        "assign": AssignForm(
            post if action == "assign" else None,
            users=workers,
            initial={"owner": exception.owner_id, "reason_code": exception.reason_code},
            auto_id="id_assign_%s",
        ),
        "resolve": ResolveForm(
            post if action == "resolve" else None,
            users=workers,
            initial={"reason_code": exception.reason_code},
            auto_id="id_resolve_%s",
        ),
        "decide": ApproveForm(post if action == "decide" else None, auto_id="id_decide_%s"),
        "credit": CreditNoteForm(
            post if action == "credit" else None,
            credit_notes=credit_notes,
            auto_id="id_credit_%s",
        ),
    }
    if post is not None:
        form = forms[action]
        calls = {
            "assign": lambda data: exception_assign(
                user=user,
                exception=exception,
                owner=data["owner"],
                reason_code=data["reason_code"],
            ),
            "resolve": lambda data: exception_resolve(
                user=user,
                exception=exception,
                resolution=data["resolution"],
                justification=data["justification"],
                reason_code=data["reason_code"],
                data_error_amount=data["data_error_amount"],
                found_by=data["found_by"],
            ),
            "decide": lambda data: exception_approve(
                user=user,
                exception=exception,
                approve=post.get("decision") == "approve",
                note=data["note"],
            ),
            "credit": lambda data: exception_record_credit_note(
                user=user,
                exception=exception,
                credit_note=data["credit_note"],
                amount=data["amount"],
            ),
        }
        messages = {
            "assign": _("Owner and reason saved."),
            "resolve": _("Resolution recorded."),
            "decide": _("Approved.") if post.get("decision") == "approve" else _("Sent back."),
            "credit": _("Credit note recorded; the exception is resolved."),
        }
        if save_form(request, form, calls[action], success_message=messages[action]):
            return redirect("finance:exception", exception.pk)
    return render(
        request,
        "finance/exception_detail.html",
        {
            "exception": exception,
            "forms": forms,
            "perms_for": perms,
            "has_credit_notes": perms["credit"] and credit_notes.exists(),
            "history": history_for(instance=exception, user=user),
            "posted": action,
        },
    )
