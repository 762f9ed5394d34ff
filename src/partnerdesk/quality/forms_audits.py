"""Forms of the audit programme's pages: planning and conducting audits, evidence, schedules and
the checklist-template editor. They give the shapes; the services in
``quality.services.audits`` enforce the rules (so the pages and the API say the same thing)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerdesk.quality.choices import FindingGrade, QuestionKind
from partnerdesk.quality.models import AuditQuestion, AuditSchedule, AuditSection, AuditTemplate

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOT_APPLICABLE = "na"


def user_label(user) -> str:
    return user.get_full_name() or user.username


class _ServiceRulesModelForm(forms.ModelForm):
    """A model form whose model validation is left to the service (``full_clean`` there), so
    a rule is checked in one place and explained the same way on the page and in the API."""

    def validate_unique(self):
        pass

    def _post_clean(self):
        pass

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields}


# --- audits ------------------------------------------------------------------------------------


class AuditPlanForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    template = forms.ModelChoiceField(label=_("Checklist template"), queryset=None)
    planned_date = forms.DateField(label=_("Planned for"), widget=DATE)
    auditor = forms.ModelChoiceField(
        label=_("Auditor"),
        queryset=None,
        required=False,
        help_text=_("The auditor is told by a notification."),
    )

    def __init__(self, *args, partners, templates, auditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["template"].queryset = templates
        self.fields["auditor"].queryset = auditors
        self.fields["auditor"].label_from_instance = user_label


class AuditCloseForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Closing scores the audit; every major finding opens a nonconformance."),
    )


class AuditCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(forms.Form):
    """One question of an audit being conducted. ``answer`` holds yes / no / na for a yes/no
    question or the score (or na) for a scale; ``value`` the reading of a numeric question,
    with ``not_applicable`` beside it. Values are passed as typed: the service checks them."""

    answer = forms.CharField(label=_("Answer"), max_length=20, required=False)
    value = forms.CharField(
        label=_("Reading"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    comment = forms.CharField(
        label=_("Comment"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    finding = forms.ChoiceField(
        label=_("Finding"),
        required=False,
        choices=[("", _("As the rules grade it")), *FindingGrade.choices],
        help_text=_("A finding may be graded more severely than the rules propose, never less."),
    )

    def __init__(self, *args, answer, requested_finding: str = "", **kwargs):
        self.answer_row = answer
        prefix = f"a{answer.pk}"
        if not args and "initial" not in kwargs:
            kwargs["initial"] = initial_answer(answer, requested_finding)
        super().__init__(*args, auto_id=f"id_{prefix}_%s", **kwargs)

    @property
    def kind(self) -> str:
        return self.answer_row.kind

    def options(self) -> list[tuple[str, str]]:
        """The touch buttons of a yes/no or scale question: (value, label)."""
        if self.kind == QuestionKind.YES_NO:
            return [("yes", _("Yes")), ("no", _("No")), (NOT_APPLICABLE, _("N/A"))]
        if self.kind == QuestionKind.SCALE:
            top = self.answer_row.scale_max or 0
            return [(str(n), str(n)) for n in range(top + 1)] + [(NOT_APPLICABLE, _("N/A"))]
        return []

    def current(self) -> str:
        """The option shown as chosen (what was posted, or what is recorded)."""
        source = self.data if self.is_bound else self.initial
        return str(source.get("answer") or "")

    def service_data(self) -> dict:
        """The ``answer_record`` data of the cleaned form."""
        data = self.cleaned_data
        out = {"comment": data["comment"], "finding": data["finding"]}
        raw = (data["answer"] or "").strip()
        if self.kind == QuestionKind.NUMERIC:
            if data["not_applicable"]:
                out["not_applicable"] = True
            else:
                out["value"] = data["value"].strip()
        elif raw == NOT_APPLICABLE:
            out["not_applicable"] = True
        elif self.kind == QuestionKind.YES_NO:
            out["yes"] = raw or None
        else:
            out["value"] = raw
        return out

    def field_for(self, service_field: str) -> str | None:
        """The field of this form that shows a service error about ``service_field``."""
        if service_field in ("yes", "not_applicable"):
            return "not_applicable" if self.kind == QuestionKind.NUMERIC else "answer"
        if service_field == "value":
            return "value" if self.kind == QuestionKind.NUMERIC else "answer"
        return service_field if service_field in self.fields else None


def initial_answer(answer, requested_finding: str = "") -> dict:
    """The form's values for the answer as recorded."""
    if answer.not_applicable:
        choice = NOT_APPLICABLE
    elif answer.kind == QuestionKind.YES_NO and answer.yes is not None:
        choice = "yes" if answer.yes else "no"
    elif answer.kind == QuestionKind.SCALE and answer.value is not None:
        choice = str(int(answer.value))
    else:
        choice = ""
    value = ""
    if answer.kind == QuestionKind.NUMERIC and answer.value is not None:
        value = format(answer.value.normalize(), "f")
    return {
        "answer": choice,
        "value": value,
        "not_applicable": answer.not_applicable,
        "comment": answer.comment,
        "finding": requested_finding,
    }


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or file"),
        widget=forms.FileInput(
            attrs={"accept": "image/*,application/pdf", "capture": "environment"}
        ),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
    answer = forms.IntegerField(
        required=False, min_value=1, max_value=2**31, widget=forms.HiddenInput
    )


# --- schedules ---------------------------------------------------------------------------------


class ScheduleForm(_ServiceRulesModelForm):
    class Meta:
        model = AuditSchedule
        fields = ["partner", "template", "frequency", "auditor", "next_due", "lead_days"]
        widgets = {"next_due": DATE}

    def __init__(self, *args, partners, templates, auditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["template"].queryset = templates
        self.fields["auditor"].queryset = auditors
        self.fields["auditor"].label_from_instance = user_label
        self.fields["lead_days"].help_text = _(
            "The audit is planned this many days before it is due."
        )


class ScheduleEditForm(_ServiceRulesModelForm):
    class Meta:
        model = AuditSchedule
        fields = ["frequency", "auditor", "next_due", "lead_days", "is_active"]
        widgets = {"next_due": DATE}

    def __init__(self, *args, auditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].queryset = auditors
        self.fields["auditor"].label_from_instance = user_label
        self.fields["is_active"].help_text = _("An inactive schedule plans no more audits.")


# --- the checklist-template editor -------------------------------------------------------------


class TemplateForm(_ServiceRulesModelForm):
    class Meta:
        model = AuditTemplate
        fields = ["code", "name", "description", "grade_a_min", "grade_b_min", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SectionForm(_ServiceRulesModelForm):
    class Meta:
        model = AuditSection
        fields = ["title"]


class QuestionForm(_ServiceRulesModelForm):
    class Meta:
        model = AuditQuestion
        fields = [
            "text",
            "guidance",
            "kind",
            "weight",
            "scale_max",
            "lower_limit",
            "upper_limit",
            "unit",
            "evidence_required",
            "critical",
        ]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "scale_max": _("For a score on a scale: the top score (e.g. 5)."),
            "lower_limit": _("For a numeric reading: the lowest conforming value."),
            "upper_limit": _("For a numeric reading: the highest conforming value."),
            "weight": _("The question's share of the score, relative to the others."),
        }
