"""Match runs, the exception queue, weekly reconciliations with their agenda items, service
credit deductions on invoices, and document imports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.finance.choices import (
    AgendaStatus,
    ExceptionStatus,
    ExceptionType,
    ImportKind,
    ReasonCode,
    Resolution,
    Severity,
)
from partnerdesk.finance.models.documents import amount_field


class MatchRun(models.Model):
    """One run of the matching engine over a set of invoices (a week, or one invoice)."""

    label = models.CharField(_("run"), max_length=40)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invoices = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    exceptions_opened = models.PositiveIntegerField(default=0)
    exceptions_cleared = models.PositiveIntegerField(default=0)

    objects = RestrictedManager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("match run")

    def __str__(self) -> str:
        return self.label


class MatchException(models.Model):
    """A discrepancy the engine found on an invoice, and what was done about it.

    ``fingerprint`` identifies the discrepancy (invoice, line, type) so that a later run finds
    the same open exception instead of opening another; a run that no longer finds it clears it.
    Accepting above the approval threshold needs a second person. A resolved data error records
    who found it and its amount (evidence for the finance data-error bonus)."""

    invoice = models.ForeignKey(
        "finance.SupplierInvoice", on_delete=models.CASCADE, related_name="exceptions"
    )
    invoice_line = models.ForeignKey(
        "finance.SupplierInvoiceLine",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exceptions",
    )
    related_invoice = models.ForeignKey(
        "finance.SupplierInvoice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("earlier invoice"),
    )
    type = models.CharField(_("type"), max_length=20, choices=ExceptionType.choices)
    severity = models.CharField(_("severity"), max_length=5, choices=Severity.choices)
    amount_at_stake = amount_field(_("amount at stake"))
    currency = models.CharField(_("currency"), max_length=3)
    detail = models.CharField(_("detail"), max_length=400)
    fingerprint = models.CharField(max_length=80)
    first_run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    reason_code = models.CharField(
        _("reason"), max_length=20, choices=ReasonCode.choices, blank=True
    )
    resolution = models.CharField(
        _("resolution"), max_length=12, choices=Resolution.choices, blank=True
    )
    justification = models.TextField(_("justification"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    credit_note = models.ForeignKey(
        "finance.SupplierInvoice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recovers",
        verbose_name=_("credit note received"),
    )
    recovered_amount = amount_field(_("recovered"), default=0)
    data_error_found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("data error found by"),
    )
    data_error_amount = amount_field(_("data error amount"), null=True, blank=True)

    objects = RestrictedManager()
    partner_path = "invoice__partner"

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("match exception")
        permissions = [
            ("resolve_matchexception", "Can resolve match exceptions"),
            ("approve_matchexception", "Can approve accepted exceptions above the threshold"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=~models.Q(status=ExceptionStatus.RESOLVED),
                name="finance_exception_open_uniq",
            )
        ]
        indexes = [
            models.Index(fields=["status", "type"], name="finance_exc_status_idx"),
            # Covers the payment status's "an open exception blocks / warns" probe per invoice.
            models.Index(fields=["invoice", "severity", "status"], name="finance_exc_invoice_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} · {self.invoice_id}"


class InvoiceDeduction(models.Model):
    """A service credit from a closed SLA period applied to a partner's invoice."""

    invoice = models.ForeignKey(
        "finance.SupplierInvoice", on_delete=models.PROTECT, related_name="deductions"
    )
    proposal = models.OneToOneField(
        "performance.CreditProposal", on_delete=models.PROTECT, related_name="deduction"
    )
    amount = amount_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    partner_path = "invoice__partner"

    class Meta:
        ordering = ["-applied_at"]
        verbose_name = _("invoice deduction")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class WeeklyReconciliation(models.Model):
    """The weekly reconciliation of an ISO week: the match run over the week's invoices and the
    report it produced. Running the week again makes a new revision."""

    week = models.CharField(_("week"), max_length=8, help_text="ISO week, e.g. 2026-W47")
    revision = models.PositiveIntegerField(default=1)
    week_start = models.DateField()
    week_end = models.DateField()
    run = models.ForeignKey(MatchRun, on_delete=models.PROTECT, related_name="+")
    report = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedManager()

    class Meta:
        ordering = ["-week_start", "-revision"]
        verbose_name = _("weekly reconciliation")
        constraints = [
            models.UniqueConstraint(fields=["week", "revision"], name="finance_recon_week_uniq")
        ]

    def __str__(self) -> str:
        return self.week


class AgendaItem(models.Model):
    """A point for the weekly finance and outsourcing reconciliation meeting."""

    reconciliation = models.ForeignKey(
        WeeklyReconciliation, on_delete=models.CASCADE, related_name="agenda"
    )
    position = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exception = models.ForeignKey(
        MatchException, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=5, choices=AgendaStatus.choices, default=AgendaStatus.OPEN
    )

    objects = RestrictedManager()

    class Meta:
        ordering = ["reconciliation", "position"]
        verbose_name = _("agenda item")

    def __str__(self) -> str:
        return self.title


class DocumentImport(models.Model):
    """An uploaded file of order, receipt or invoice lines: previewed, then applied once.
    ``sha256`` makes a repeated upload of the same file recognisable."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["-applied_at"]
        verbose_name = _("document import")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"
