"""Template helpers of the quality pages: the module's sub-navigation, the receipt lines a
standard applies to (the "Inspect" buttons of the finance receipt page), badges."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (label, url name, permission, url names of the pages that belong to the section)
SECTIONS = [
    (_("Overview"), "quality:home", None, {"home"}),
    (
        _("Audits"),
        "quality:audit_list",
        "quality.view_audit",
        {
            "audit_list",
            "audit_create",
            "audit_detail",
            "audit_conduct",
            "audit_report",
            "evidence_upload",
            "answer_save",
            "answer_nc",
        },
    ),
    (
        _("Schedules"),
        "quality:schedule_list",
        "quality.view_auditschedule",
        {"schedule_list", "schedule_create", "schedule_edit"},
    ),
    (
        _("Audit templates"),
        "quality:template_list",
        "quality.view_audittemplate",
        {
            "template_list",
            "template_create",
            "template_detail",
            "template_edit",
            "section_create",
            "section_edit",
            "section_delete",
            "question_create",
            "question_edit",
            "question_delete",
        },
    ),
    (
        _("Inspections"),
        "quality:lot_list",
        "quality.view_lotinspection",
        {
            "lot_list",
            "lot_todo",
            "lot_open",
            "lot_detail",
            "lot_readings",
            "lot_import",
            "lot_dispose",
            "sampling_list",
            "sampling_resume",
        },
    ),
    (
        _("Standards"),
        "quality:standard_list",
        "quality.view_inspectionstandard",
        {
            "standard_list",
            "standard_create",
            "standard_detail",
            "standard_edit",
            "parameter_create",
            "parameter_edit",
            "parameter_delete",
        },
    ),
    (
        _("Nonconformances"),
        "quality:nc_list",
        "quality.view_nonconformance",
        {"nc_list", "nc_create", "nc_detail", "nc_edit", "nc_close", "nc_cancel"},
    ),
    (
        _("8D actions"),
        "quality:action_list",
        "quality.view_correctiveaction",
        {
            "action_list",
            "action_open",
            "action_detail",
            "effectiveness",
            "action_close",
            "stage_submit",
            "stage_accept",
            "stage_send_back",
            "stage_due",
        },
    ),
    (
        _("Costs"),
        "quality:cost_list",
        "quality.view_costevent",
        {"cost_list", "cost_create", "cost_correct"},
    ),
]


@register.inclusion_tag("quality/_subnav_links.html", takes_context=True)
def quality_subnav(context):
    """The sections of the quality module this user may open, the current one marked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.namespace == "quality" else None
    items = []
    if user is not None and user.is_authenticated:
        for label, url_name, perm, pages in SECTIONS:
            if perm is None or user.has_perm(perm):
                items.append({"label": label, "url": reverse(url_name), "active": current in pages})
    return {"items": items}


@register.simple_tag(takes_context=True)
def inspectable_lines(context, lines) -> set[int]:
    """The ids of ``lines`` (receipt lines) without an inspection that an active standard
    applies to, when the user may open lot inspections; one query."""
    from partnerdesk.quality import selectors

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("quality.add_lotinspection"):
        return set()
    ids = [line.pk for line in lines]
    if not ids:
        return set()
    return set(
        selectors.uninspected_receipt_lines(user=user)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


BADGES = {
    # lots
    "open": "badge-info",
    "accepted": "badge-active",
    "rejected": "badge-danger",
    # severities of inspection
    "normal": "badge-info",
    "tightened": "badge-warning",
    "reduced": "badge-active",
    "discontinued": "badge-danger",
    # nonconformances and actions
    "action": "badge-warning",
    "closed": "badge-terminated",
    "cancelled": "badge-terminated",
    "minor": "badge-info",
    "major": "badge-warning",
    "critical": "badge-danger",
    # 8D stages
    "pending": "badge-prospect",
    "submitted": "badge-info",
    "sent_back": "badge-danger",
    # effectiveness
    "effective": "badge-active",
    "not_effective": "badge-danger",
}


@register.filter
def quality_badge(value) -> str:
    """The badge classes for a status, severity or result value."""
    return f"badge {BADGES.get(str(value), 'badge-prospect')} q-{value}"


@register.filter
def severity_label(value) -> str:
    """The label of a severity of inspection stored as its value (normal, tightened…)."""
    from partnerdesk.quality.choices import Severity

    try:
        return Severity(str(value)).label
    except ValueError:
        return value
