"""The audit programme: checklist templates with sections and questions, recurring schedules,
audits with their answers (a copy of each question, so later template edits leave past audits
alone), findings and evidence files."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.models import TimeStampedModel
from partnerdesk.core.permissions import RestrictedManager
from partnerdesk.quality.choices import (
    AuditFrequency,
    AuditStatus,
    FindingGrade,
    QuestionKind,
)


def _limit(label):
    return models.DecimalField(label, max_digits=14, decimal_places=4, null=True, blank=True)


class AuditTemplate(TimeStampedModel):
    """A checklist for an audit. The score is the weighted share of points earned; the grade
    comes from the score and the major findings (``quality.engines.audit_scoring``)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    grade_a_min = models.DecimalField(
        _("grade A from (%)"), max_digits=5, decimal_places=2, default=90
    )
    grade_b_min = models.DecimalField(
        _("grade B from (%)"), max_digits=5, decimal_places=2, default=80
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("audit template")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade_b_min__lte=models.F("grade_a_min")),
                name="quality_template_grades_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        low, high = self.grade_b_min, self.grade_a_min
        if low is not None and high is not None and not 0 <= low <= high <= 100:
            raise ValidationError({"grade_b_min": _("Need 0 <= grade B <= grade A <= 100.")})


class AuditSection(models.Model):
    template = models.ForeignKey(AuditTemplate, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=150)

    objects = RestrictedManager()

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("audit section")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="quality_section_position_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.title


class QuestionFields(models.Model):
    """What a question asks; shared by the template's question and the audit's copy."""

    text = models.CharField(_("question"), max_length=300)
    guidance = models.TextField(_("guidance for the auditor"), blank=True)
    kind = models.CharField(
        _("answer"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.YES_NO
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    scale_max = models.PositiveSmallIntegerField(_("scale maximum"), null=True, blank=True)
    lower_limit = _limit(_("lower limit"))
    upper_limit = _limit(_("upper limit"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("Failing a critical question is a major finding by itself."),
    )

    class Meta:
        abstract = True

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.weight is not None and self.weight <= 0:
            errors["weight"] = _("The weight must be above zero.")
        if self.kind == QuestionKind.SCALE and not self.scale_max:
            errors["scale_max"] = _("A scale question needs its maximum (e.g. 5).")
        if self.kind == QuestionKind.NUMERIC:
            if self.lower_limit is None and self.upper_limit is None:
                errors["lower_limit"] = _("A numeric question needs a lower or upper limit.")
            elif (
                self.lower_limit is not None
                and self.upper_limit is not None
                and self.lower_limit > self.upper_limit
            ):
                errors["upper_limit"] = _("The upper limit is below the lower limit.")
        if errors:
            raise ValidationError(errors)


class AuditQuestion(QuestionFields):
    section = models.ForeignKey(AuditSection, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))

    objects = RestrictedManager()

    class Meta:
        ordering = ["section__position", "position"]
        verbose_name = _("audit question")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "position"], name="quality_question_position_uniq"
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="quality_q_weight_pos"),
        ]

    def __str__(self) -> str:
        return self.text


class AuditSchedule(TimeStampedModel):
    """Audit a partner with a template every month, quarter…; the daily job plans the next
    audit ``lead_days`` before it is due and moves ``next_due`` on."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="audit_schedules"
    )
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(_("frequency"), max_length=12, choices=AuditFrequency.choices)
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    next_due = models.DateField(_("next audit due"))
    # The day of the month audits fall on, so a schedule on the 31st comes back to the 31st
    # after a shorter month (31 Jan, 28 Feb, 31 Mar), instead of drifting to the 28th.
    day_of_month = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    lead_days = models.PositiveSmallIntegerField(_("plan this many days ahead"), default=14)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["next_due"]
        verbose_name = _("audit schedule")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "template"],
                condition=models.Q(is_active=True),
                name="quality_schedule_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.template} · {self.get_frequency_display()}"


class Audit(TimeStampedModel):
    """One audit of a partner. Closing it scores it (``score``, ``grade``, ``explanation``)
    and opens a nonconformance for every major finding; a closed audit is not edited."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="audits")
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="audits")
    schedule = models.ForeignKey(
        AuditSchedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="audits"
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audits",
    )
    planned_date = models.DateField(_("planned for"))
    status = models.CharField(
        _("status"), max_length=12, choices=AuditStatus.choices, default=AuditStatus.PLANNED
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)

    objects = RestrictedManager()
    partner_path = "partner"

    class Meta:
        ordering = ["-planned_date", "-number"]
        verbose_name = _("audit")
        indexes = [
            models.Index(fields=["partner", "planned_date"], name="quality_audit_partner_idx"),
            models.Index(fields=["status", "planned_date"], name="quality_audit_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "planned_date"], name="quality_audit_schedule_slot_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.number


class AuditAnswer(QuestionFields):
    """A question of the audit (copied from the template when the audit is planned) and its
    answer. ``value`` holds the scale score or the numeric reading; ``finding`` is proposed
    from the answer and may be raised by the auditor, never lowered below the rule's grade."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        AuditQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    section_title = models.CharField(_("section"), max_length=150)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    yes = models.BooleanField(_("yes"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    finding = models.CharField(
        _("finding"), max_length=12, choices=FindingGrade.choices, blank=True
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = RestrictedManager()
    partner_path = "audit__partner"

    class Meta:
        ordering = ["audit", "position"]
        verbose_name = _("audit answer")
        constraints = [
            models.UniqueConstraint(fields=["audit", "position"], name="quality_answer_pos_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.audit_id}/{self.position} {self.text[:40]}"

    @property
    def answered(self) -> bool:
        return self.not_applicable or self.yes is not None or self.value is not None


def evidence_upload_to(instance, filename: str) -> str:
    return f"quality/audits/{instance.audit_id}/{instance.sha256[:2]}/{instance.sha256}"


class AuditEvidence(models.Model):
    """A photo or file taken during an audit, for one answer or the audit as a whole."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="evidence")
    answer = models.ForeignKey(
        AuditAnswer, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = RestrictedManager()
    partner_path = "audit__partner"

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("audit evidence")
        verbose_name_plural = _("audit evidence")

    def __str__(self) -> str:
        return self.original_name
