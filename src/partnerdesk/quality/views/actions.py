"""8D corrective action pages: the list with progress and overdue stages, and an action's
page with its nine stages. The partner's users (and quality on their behalf) submit stages;
quality engineers accept them, send them back or move their due time, record the
effectiveness check and close the action."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerdesk.audit.selectors import history_for
from partnerdesk.core.errors import ApplicationError
from partnerdesk.core.listing import build_list
from partnerdesk.core.views_helpers import render_list
from partnerdesk.partners.models import Partner
from partnerdesk.quality import selectors
from partnerdesk.quality.choices import (
    STAGE_TITLES,
    ActionStatus,
    Effectiveness,
    StageStatus,
)
from partnerdesk.quality.engines import eightd
from partnerdesk.quality.filters import ACTION_SORTS, ActionFilter
from partnerdesk.quality.forms import (
    EffectivenessForm,
    StageAcceptForm,
    StageDueForm,
    StageSendBackForm,
    StageSubmitForm,
)
from partnerdesk.quality.services import nonconformance as service
from partnerdesk.quality.views.common import get_or_404, require, run

SUBMIT = "quality.submit_correctiveaction"
REVIEW = "quality.review_correctiveaction"
STAGE_FORMS = {
    "submit": StageSubmitForm,
    "accept": StageAcceptForm,
    "send_back": StageSendBackForm,
    "due": StageDueForm,
}


def action_list(request):
    user = request.user
    require(user, "quality.view_correctiveaction")
    state = build_list(
        request,
        selectors.action_list(user=user),
        filter_schema=ActionFilter,
        sorts=ACTION_SORTS,
        default_sort="-opened_at",
    )
    context = {
        "list": state,
        "statuses": ActionStatus.choices,
        "partners": [(p.pk, p.code) for p in Partner.objects.restrict(user).order_by("code")],
        "columns": [
            ("number", _("Number")),
            ("opened_at", _("Opened")),
            ("status", _("Status")),
        ],
    }
    return render_list(request, "quality/action_list.html", "quality/_action_table.html", context)


def _stage_form(kind: str, stage, bound):
    if bound is not None and bound[0] == kind and bound[1] == stage.pk:
        return bound[2]
    initial = None
    if kind == "due":
        initial = {"due_at": timezone.localtime(stage.due_at)}
    elif kind == "submit" and stage.content:
        initial = {"content": stage.content}
    return STAGE_FORMS[kind](initial=initial, auto_id=f"id_{kind}_{stage.stage}_%s")


def _detail_context(request, action, *, bound=None, effectiveness_form=None) -> dict:
    """The page's context; ``bound`` is (kind, stage id, form) of a stage form posted with
    errors, shown again on its stage."""
    user = request.user
    now = timezone.now()
    stages = list(action.stages.all())
    statuses = {s.stage: s.status for s in stages}
    is_open = action.status == ActionStatus.OPEN
    may_submit = is_open and user.has_perm(SUBMIT)
    may_review = is_open and user.has_perm(REVIEW)
    for stage in stages:
        stage.title = STAGE_TITLES[stage.stage]
        stage.overdue = is_open and eightd.is_overdue(stage.status, stage.due_at, now)
        stage.submit_form = stage.accept_form = stage.send_back_form = stage.due_form = None
        stage.accept_blocked = None
        if (
            may_submit
            and stage.status != StageStatus.ACCEPTED
            and eightd.check_submit(statuses, stage.stage) is None
        ):
            stage.submit_form = _stage_form("submit", stage, bound)
        if may_review and stage.status == StageStatus.SUBMITTED:
            stage.accept_blocked = (
                service.refusal_text(eightd.check_accept(statuses, stage.stage)) or None
            )
            if (
                stage.accept_blocked is None
                and stage.stage == 8
                and action.effectiveness != Effectiveness.EFFECTIVE
            ):
                stage.accept_blocked = _(
                    "D8 is accepted after an effectiveness check found the action effective."
                )
            stage.accept_form = _stage_form("accept", stage, bound)
            stage.send_back_form = _stage_form("send_back", stage, bound)
        if may_review and stage.status != StageStatus.ACCEPTED:
            stage.due_form = _stage_form("due", stage, bound)
    first_seven = all(statuses.get(n) == StageStatus.ACCEPTED for n in range(8))
    return {
        "action": action,
        "nc": action.nonconformance,
        "stages": stages,
        "accepted": sum(1 for s in stages if s.status == StageStatus.ACCEPTED),
        "overdue": sum(1 for s in stages if s.overdue),
        "may_review": may_review,
        "may_check": may_review and first_seven,
        "may_close": may_review and eightd.check_close(statuses, action.effectiveness) is None,
        "close_blocked": service.refusal_text(eightd.check_close(statuses, action.effectiveness))
        if may_review
        else None,
        "effectiveness_form": effectiveness_form or EffectivenessForm(auto_id="id_check_%s"),
        "history": history_for(instance=action, user=user),
    }


def action_detail(request, pk):
    action = get_or_404(selectors.action_get, user=request.user, pk=pk)
    return render(request, "quality/action_detail.html", _detail_context(request, action))


def _stage_post(request, pk, *, kind, perm, call, success):
    user = request.user
    require(user, perm)
    stage = get_or_404(selectors.stage_get, user=user, pk=pk)
    form = STAGE_FORMS[kind](request.POST, auto_id=f"id_{kind}_{stage.stage}_%s")
    done = run(request, form, lambda data: call(stage, data), success_message=success(stage))
    if done is None:
        action = get_or_404(selectors.action_get, user=user, pk=stage.action_id)
        context = _detail_context(request, action, bound=(kind, stage.pk, form))
        return render(request, "quality/action_detail.html", context)
    return redirect(f"{_action_url(stage.action_id)}#stage-{stage.stage}")


def _action_url(pk) -> str:
    return reverse("quality:action_detail", args=[pk])


@require_POST
def stage_submit(request, pk):
    return _stage_post(
        request,
        pk,
        kind="submit",
        perm=SUBMIT,
        call=lambda stage, data: service.stage_submit(
            user=request.user, stage=stage, content=data["content"]
        ),
        success=lambda stage: _("D%(n)s submitted for review.") % {"n": stage.stage},
    )


@require_POST
def stage_accept(request, pk):
    return _stage_post(
        request,
        pk,
        kind="accept",
        perm=REVIEW,
        call=lambda stage, data: service.stage_accept(
            user=request.user, stage=stage, note=data["note"]
        ),
        success=lambda stage: _("D%(n)s accepted.") % {"n": stage.stage},
    )


@require_POST
def stage_send_back(request, pk):
    return _stage_post(
        request,
        pk,
        kind="send_back",
        perm=REVIEW,
        call=lambda stage, data: service.stage_send_back(
            user=request.user, stage=stage, note=data["note"]
        ),
        success=lambda stage: _("D%(n)s sent back to the supplier.") % {"n": stage.stage},
    )


@require_POST
def stage_due(request, pk):
    return _stage_post(
        request,
        pk,
        kind="due",
        perm=REVIEW,
        call=lambda stage, data: service.stage_set_due(
            user=request.user, stage=stage, due_at=data["due_at"], reason=data["reason"]
        ),
        success=lambda stage: _("The due time of D%(n)s is moved.") % {"n": stage.stage},
    )


@require_POST
def effectiveness(request, pk):
    user = request.user
    require(user, REVIEW)
    action = get_or_404(selectors.action_get, user=user, pk=pk)
    form = EffectivenessForm(request.POST, auto_id="id_check_%s")
    checked = run(
        request,
        form,
        lambda data: service.effectiveness_record(
            user=user, action=action, result=data["result"], note=data["note"]
        ),
    )
    if checked is None:
        action = get_or_404(selectors.action_get, user=user, pk=pk)
        context = _detail_context(request, action, effectiveness_form=form)
        return render(request, "quality/action_detail.html", context)
    if checked.effectiveness == Effectiveness.EFFECTIVE:
        messages.success(request, _("Found effective: D8 can be submitted and accepted."))
    else:
        messages.warning(
            request,
            _("Found not effective: D4 to D8 are sent back to the supplier with new due times."),
        )
    return redirect("quality:action_detail", action.pk)


@require_POST
def action_close(request, pk):
    user = request.user
    require(user, REVIEW)
    action = get_or_404(selectors.action_get, user=user, pk=pk)
    try:
        closed = service.action_close(user=user, action=action)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("quality:action_detail", action.pk)
    messages.success(
        request,
        _("Corrective action %(n)s closed %(when)s; its nonconformance is closed too.")
        % {
            "n": closed.number,
            "when": _("on time") if closed.closed_on_time else _("late"),
        },
    )
    return redirect("quality:action_detail", action.pk)
