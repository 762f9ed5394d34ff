"""Reads of the contracts app, always through the user's visibility.

Each function that feeds the contract page costs a fixed number of queries however many rows
the contract has (select_related / prefetch_related), so the page's query count is constant.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from partnerdesk.contracts.models import (
    Contract,
    ContractAttachment,
    ContractStatusChange,
    ContractVersion,
    Deliverable,
    DisputeLevel,
    RaciActivity,
    RaciAssignment,
)

# Terms a version records, in the order the versions table shows their changes.
VERSION_TERMS = ("monthly_fee", "at_risk_percent", "end_date", "value", "currency")


def contract_list(*, user):
    return Contract.objects.restrict(user).select_related("partner")


def contract_get(*, user, pk, action: str = "view") -> Contract:
    """One contract the user may see (or act on); raises ``Contract.DoesNotExist`` otherwise."""
    return Contract.objects.restrict(user, action).select_related("partner", "owner").get(pk=pk)


def contracts_of_partner(*, user, partner):
    return contract_list(user=user).filter(partner=partner).order_by("-start_date", "reference")


# --- versions ------------------------------------------------------------------------------


@dataclass
class VersionRow:
    version: ContractVersion
    changes: list[tuple[str, object, object]] = field(default_factory=list)


def _label(name: str) -> str:
    return str(Contract._meta.get_field(name).verbose_name)


def version_changes(before: dict, after: dict) -> list[tuple[str, object, object]]:
    """The commercial terms that differ between two version snapshots: (label, before,
    after). Descriptive edits between amendments are in the history, not here."""
    return [
        (_label(name), before.get(name), after.get(name))
        for name in VERSION_TERMS
        if before.get(name) != after.get(name)
    ]


def contract_versions(*, user, contract: Contract) -> list[VersionRow]:
    """Every version the user may see, oldest first, each with what changed since the one
    before it."""
    versions = list(
        ContractVersion.objects.restrict(user)
        .filter(contract=contract)
        .select_related("created_by")
        .order_by("version")
    )
    rows, previous = [], None
    for version in versions:
        changes = version_changes(previous.snapshot, version.snapshot) if previous else []
        rows.append(VersionRow(version, changes))
        previous = version
    return rows


# --- the parts of a contract ---------------------------------------------------------------


def deliverables_of(*, user, contract: Contract):
    return (
        Deliverable.objects.restrict(user).filter(contract=contract).select_related("accepted_by")
    )


def dispute_ladder(*, user, contract: Contract):
    return (
        DisputeLevel.objects.restrict(user)
        .filter(contract=contract)
        .prefetch_related("internal_people", "partner_contacts")
    )


def attachments_of(*, user, contract: Contract):
    """Attachments whose document the user may see (confidential ones need that permission)."""
    from partnerdesk.partners.models import PartnerDocument

    return (
        ContractAttachment.objects.restrict(user)
        .filter(contract=contract, document__in=PartnerDocument.objects.restrict(user))
        .select_related("document")
        .order_by("document__title", "pk")
    )


def status_changes_of(*, user, contract: Contract, limit: int = 20):
    return (
        ContractStatusChange.objects.restrict(user)
        .filter(contract=contract)
        .select_related("changed_by")[:limit]
    )


@dataclass
class RaciMatrix:
    """The matrix as a grid: ``parties`` are the columns (key, label, kind), ``rows`` are
    (activity, [letter or "" per party])."""

    parties: list[tuple[str, str, str]]
    rows: list[tuple[RaciActivity, list[str]]]

    @property
    def team_count(self) -> int:
        return sum(1 for _key, _label, kind in self.parties if kind == "team")

    @property
    def contact_count(self) -> int:
        return len(self.parties) - self.team_count


def party_key(assignment_or_party) -> str:
    """``t<id>`` for a team, ``c<id>`` for a partner contact."""
    from partnerdesk.organisation.models import Team

    obj = assignment_or_party
    if isinstance(obj, RaciAssignment):
        return f"t{obj.team_id}" if obj.team_id else f"c{obj.contact_id}"
    return f"t{obj.pk}" if isinstance(obj, Team) else f"c{obj.pk}"


def raci_activities(*, user, contract: Contract) -> list[RaciActivity]:
    assignments = RaciAssignment.objects.restrict(user).select_related("team", "contact")
    return list(
        RaciActivity.objects.restrict(user)
        .filter(contract=contract)
        .prefetch_related(Prefetch("assignments", queryset=assignments))
    )


def raci_matrix(*, user, contract: Contract) -> RaciMatrix:
    """The parties that hold a letter anywhere (teams first, then partner contacts)."""
    activities = raci_activities(user=user, contract=contract)
    parties: dict[str, tuple[str, str, str]] = {}
    for activity in activities:
        for a in activity.assignments.all():
            key = party_key(a)
            if a.team_id:
                parties[key] = (key, a.team.name, "team")
            else:
                parties[key] = (key, a.contact.name, "contact")
    ordered = sorted(parties.values(), key=lambda p: (p[2] != "team", p[1].lower()))
    rows = []
    for activity in activities:
        letters = {party_key(a): a.role for a in activity.assignments.all()}
        rows.append((activity, [letters.get(key, "") for key, _l, _k in ordered]))
    return RaciMatrix(ordered, rows)


def raci_parties(*, user, contract: Contract):
    """The columns the RACI editor offers: our teams, then the partner's contacts."""
    from partnerdesk.organisation.models import Team
    from partnerdesk.partners.models import PartnerContact

    teams = list(Team.objects.restrict(user).select_related("department"))
    contacts = list(PartnerContact.objects.restrict(user).filter(partner_id=contract.partner_id))
    return teams, contacts


# --- service levels ------------------------------------------------------------------------


@dataclass
class ServiceLevelRow:
    name: str
    metric: str
    unit: str
    target: object
    critical: bool | None
    url: str | None


def _plain(number: Decimal) -> Decimal:
    """98.5000 → 98.5, 99.9000 → 99.9, 100.0000 → 100: a target as people write it."""
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def _service_level_url(pk) -> str | None:
    # The service-level page comes with the performance pages; link only once it exists.
    try:
        return reverse("performance:service_level", args=[pk])
    except NoReverseMatch:
        return None


def service_levels_of(
    *, user, contract: Contract, today: datetime.date | None = None
) -> list[ServiceLevelRow]:
    """The contract's service levels with the target of the terms in force today (or the
    earliest terms, for a service level that starts later)."""
    from partnerdesk.performance.models import ServiceLevel, ServiceLevelTerms

    today = today or timezone.localdate()
    terms = ServiceLevelTerms.objects.restrict(user).order_by("-effective_from", "-version")
    levels = (
        ServiceLevel.objects.restrict(user)
        .filter(contract=contract)
        .select_related("metric")
        .prefetch_related(Prefetch("terms", queryset=terms, to_attr="terms_newest_first"))
    )
    rows = []
    for level in levels:
        versions = level.terms_newest_first
        current = next((t for t in versions if t.effective_from <= today), None) or (
            versions[-1] if versions else None
        )
        rows.append(
            ServiceLevelRow(
                name=level.name or level.metric.name,
                metric=level.metric.name,
                unit=level.metric.unit,
                target=_plain(current.target) if current else None,
                critical=current.critical if current else None,
                url=_service_level_url(level.pk),
            )
        )
    return rows
