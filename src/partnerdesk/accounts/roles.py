"""Roles are groups with permissions. This table is the single definition; ``sync_roles``
creates or updates the groups from it (run by ``partnerdesk sync-roles``, ``demo`` and
``start``).

Each entry maps a role to ``app_label.codename`` permissions. ``view`` of a model grants the
list and detail pages and the GET endpoints; the queryset layer narrows the rows.
"""

from django.utils.translation import gettext_lazy as _

ADMINISTRATOR = "administrator"
OUTSOURCING = "outsourcing"
FINANCE = "finance"
QUALITY = "quality"
MANUFACTURING = "manufacturing"
MANAGEMENT = "management"
COMPLIANCE = "compliance"
PARTNER = "partner"
MACHINE = "machine"

ROLE_LABELS = {
    ADMINISTRATOR: _("Administrator"),
    OUTSOURCING: _("Outsourcing team"),
    FINANCE: _("Finance"),
    QUALITY: _("Quality"),
    MANUFACTURING: _("Manufacturing center"),
    MANAGEMENT: _("Management"),
    COMPLIANCE: _("Compliance"),
    PARTNER: _("Partner user"),
    MACHINE: _("Dosing equipment (posts readings)"),
}


def _crud(app: str, model: str, *actions: str) -> list[str]:
    return [f"{app}.{action}_{model}" for action in actions]


_VIEW_DIRECTORY = [
    "partners.view_partner",
    "partners.view_partnercontact",
    "partners.view_internalowner",
    "partners.view_certification",
    "partners.view_partnerdocument",
    "organisation.view_department",
    "organisation.view_team",
    "organisation.view_person",
    "audit.view_auditentry",
    "notifications.view_notification",
    "contracts.view_contract",
    "contracts.view_contractversion",
    "contracts.view_contractstatuschange",
    "contracts.view_disputelevel",
    "contracts.view_contractattachment",
    "contracts.view_deliverable",
    "contracts.view_raciactivity",
    "contracts.view_raciassignment",
    "performance.view_metric",
    "performance.view_servicelevel",
    "performance.view_servicelevelterms",
    "performance.view_exclusion",
    "performance.view_measurement",
    "performance.view_periodclose",
    "performance.view_servicelevelresult",
    "performance.view_creditproposal",
    "performance.view_scorecardpolicy",
    "performance.view_scorecardcriterion",
    "performance.view_standingband",
    "performance.view_partnerscore",
    "finance.view_itemcategory",
    "finance.view_purchaseorder",
    "finance.view_purchaseorderline",
    "finance.view_goodsreceipt",
    "finance.view_goodsreceiptline",
    "finance.view_supplierinvoice",
    "finance.view_supplierinvoiceline",
    "finance.view_toleranceprofile",
    "finance.view_checklisttemplate",
    "finance.view_checklistitem",
    "finance.view_documentreview",
    "finance.view_reviewcheck",
    "finance.view_matchrun",
    "finance.view_matchexception",
    "finance.view_invoicededuction",
    "finance.view_weeklyreconciliation",
    "finance.view_agendaitem",
    "finance.view_documentimport",
    *(
        f"quality.view_{model}"
        for model in (
            "audittemplate",
            "auditsection",
            "auditquestion",
            "auditschedule",
            "audit",
            "auditanswer",
            "auditevidence",
            "inspectionstandard",
            "inspectionparameter",
            "samplingstate",
            "lotinspection",
            "samplereading",
            "defecttype",
            "nonconformance",
            "correctiveaction",
            "eightdstage",
            "costevent",
        )
    ),
    *(
        f"regrind.view_{model}"
        for model in (
            "productionline",
            "dosingunit",
            "regrindproduct",
            "productrun",
            "shift",
            "shiftassignment",
            "readingingest",
            "rejectedreading",
            "reading",
            "controlchart",
            "controllimits",
            "signal",
            "precisionranking",
            "teamprecision",
        )
    ),
]

# Outsourcing owns contracts and SLAs, and records the measurements.
_CONTRACT_OWNER = (
    _crud("contracts", "contract", "add", "change")
    + ["contracts.change_contract_status"]
    + _crud("contracts", "deliverable", "add", "change")
    + _crud("performance", "servicelevel", "add", "change")
    + _crud("performance", "servicelevelterms", "add")
    + _crud("performance", "exclusion", "add")
    + _crud("performance", "measurement", "add", "change")
)
# Closing months, reopening them and approving exclusions.
_PERIOD_CLOSER = [
    "performance.add_periodclose",
    "performance.reopen_periodclose",
    "performance.approve_exclusion",
]
# Purchasing documents: outsourcing places orders and books receipts; finance enters invoices.
_PURCHASING = (
    _crud("finance", "purchaseorder", "add", "change")
    + _crud("finance", "goodsreceipt", "add", "change")
    + _crud("finance", "documentimport", "add")
)
# Finance controls: invoices, checklists, matching, the exception queue, reconciliations.
_FINANCE_CONTROLS = (
    _crud("finance", "supplierinvoice", "add", "change")
    + ["finance.release_supplierinvoice", "finance.resolve_matchexception"]
    + _crud("finance", "documentreview", "change")
    + _crud("finance", "weeklyreconciliation", "add")
    + _crud("finance", "agendaitem", "change")
    + _crud("finance", "invoicededuction", "add")
    + _crud("finance", "documentimport", "add")
    + _crud("finance", "toleranceprofile", "add", "change", "delete")
    + _crud("finance", "itemcategory", "add", "change")
)
# Quality controls: audits, inspection, nonconformances and 8D, costs of poor quality.
_QUALITY_CONTROLS = (
    _crud("quality", "audittemplate", "add", "change")
    # A template's sections and questions and a standard's parameters are edited with it (the
    # services write them through audited_create/update/delete, which check these); answers
    # and sampling states are fetched with restrict(user, "change") to be changed.
    + _crud("quality", "auditsection", "add", "change", "delete")
    + _crud("quality", "auditquestion", "add", "change", "delete")
    + _crud("quality", "auditschedule", "add", "change")
    + _crud("quality", "audit", "add", "change")
    + _crud("quality", "auditanswer", "change")
    + _crud("quality", "inspectionstandard", "add", "change")
    + _crud("quality", "inspectionparameter", "add", "change", "delete")
    + _crud("quality", "samplingstate", "change")
    + _crud("quality", "defecttype", "add", "change")
    + _crud("quality", "lotinspection", "add", "change")
    + _crud("quality", "nonconformance", "add", "change")
    + _crud("quality", "correctiveaction", "add", "change")
    + ["quality.review_correctiveaction", "quality.submit_correctiveaction"]
    + _crud("quality", "costevent", "add")
    + _crud("finance", "goodsreceiptline", "change")
)
# Regrind control: the plant set-up, readings, control charts and their signals, rankings.
_REGRIND_PLANT = (
    _crud("regrind", "productionline", "add", "change")
    + _crud("regrind", "dosingunit", "add", "change")
    + _crud("regrind", "regrindproduct", "add", "change")
    + _crud("regrind", "productrun", "add", "change", "delete")
    + _crud("regrind", "shift", "add", "change")
    + _crud("regrind", "shiftassignment", "add", "change", "delete")
    + _crud("regrind", "readingingest", "add")
    + _crud("regrind", "reading", "add")
)
_REGRIND_SPC = (
    _crud("regrind", "controlchart", "add", "change")
    + _crud("regrind", "controllimits", "add")
    + _crud("regrind", "signal", "change")
    + _crud("regrind", "precisionranking", "add")
)
_POLICY_OWNER = _crud("performance", "metric", "add", "change") + [
    "performance.add_scorecardpolicy",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    OUTSOURCING: _VIEW_DIRECTORY
    + _CONTRACT_OWNER
    + _crud("partners", "partner", "add", "change")
    + ["partners.change_partner_status"]
    + _crud("partners", "partnercontact", "add", "change", "delete")
    + _crud("partners", "internalowner", "add", "change", "delete")
    + _crud("partners", "certification", "add", "change", "delete")
    + _crud("partners", "partnerdocument", "add", "change", "delete")
    + _PURCHASING
    + ["finance.resolve_matchexception", "finance.change_agendaitem"],
    FINANCE: _VIEW_DIRECTORY
    + _PERIOD_CLOSER
    + _FINANCE_CONTROLS
    + ["finance.approve_matchexception"]
    + _crud("partners", "partnercontact", "add", "change")
    + _crud("partners", "partnerdocument", "add"),
    QUALITY: _VIEW_DIRECTORY
    + _QUALITY_CONTROLS
    + _REGRIND_SPC
    + _crud("performance", "measurement", "add", "change")
    + _crud("partners", "partnercontact", "add", "change")
    + _crud("partners", "certification", "add", "change", "delete")
    + _crud("partners", "partnerdocument", "add", "change"),
    # Production reports nonconformances and the material it loses.
    MANUFACTURING: _VIEW_DIRECTORY
    + _crud("quality", "nonconformance", "add")
    + _crud("quality", "costevent", "add")
    + _REGRIND_PLANT
    + _REGRIND_SPC,
    MANAGEMENT: _VIEW_DIRECTORY
    + _PERIOD_CLOSER
    + _POLICY_OWNER
    + ["regrind.finalize_precisionranking"]
    + ["finance.approve_matchexception"]
    + [
        "partners.change_partner_status",
        "partners.view_confidential_partnerdocument",
        "audit.view_confidential_auditentry",
    ],
    COMPLIANCE: _VIEW_DIRECTORY
    + _crud("partners", "partnerdocument", "add", "change")
    + ["partners.view_confidential_partnerdocument", "audit.view_confidential_auditentry"],
    PARTNER: [
        "contracts.view_contract",
        "contracts.view_deliverable",
        "performance.view_servicelevel",
        "performance.view_measurement",
        "performance.view_partnerscore",
        "partners.view_partner",
        "partners.view_partnercontact",
        "partners.view_certification",
        "partners.view_partnerdocument",
        "notifications.view_notification",
        "finance.view_purchaseorder",
        "finance.view_purchaseorderline",
        "finance.view_goodsreceipt",
        "finance.view_goodsreceiptline",
        "finance.view_supplierinvoice",
        "finance.view_supplierinvoiceline",
        # Their own audits, lots and nonconformances; they work their 8D stages.
        "quality.view_audit",
        "quality.view_auditanswer",
        "quality.view_auditevidence",
        "quality.view_lotinspection",
        "quality.view_samplereading",
        "quality.view_nonconformance",
        "quality.view_correctiveaction",
        "quality.view_eightdstage",
        "quality.submit_correctiveaction",
    ],
    ADMINISTRATOR: _VIEW_DIRECTORY
    + _CONTRACT_OWNER
    + _PERIOD_CLOSER
    + _POLICY_OWNER
    + _crud("partners", "partner", "add", "change", "delete")
    + [
        "partners.change_partner_status",
        "partners.view_confidential_partnerdocument",
        "audit.view_confidential_auditentry",
    ]
    + _crud("partners", "partnercontact", "add", "change", "delete")
    + _crud("partners", "internalowner", "add", "change", "delete")
    + _crud("partners", "certification", "add", "change", "delete")
    + _crud("partners", "partnerdocument", "add", "change", "delete")
    + _crud("organisation", "department", "add", "change", "delete")
    + _crud("organisation", "team", "add", "change", "delete")
    + _crud("organisation", "person", "add", "change", "delete")
    + _crud("accounts", "user", "view", "add", "change")
    + _PURCHASING
    + _FINANCE_CONTROLS
    + _QUALITY_CONTROLS
    + _REGRIND_PLANT
    + _REGRIND_SPC
    + ["finance.approve_matchexception", "regrind.finalize_precisionranking"],
    # A dosing machine's account: it posts its readings with an API token, nothing else.
    MACHINE: ["regrind.view_dosingunit", "regrind.add_reading", "regrind.view_readingingest"],
}
