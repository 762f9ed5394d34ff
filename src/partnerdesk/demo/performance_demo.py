"""Demo contracts, service levels, a year of measurements and the closes of that year.

Deterministic (each series has its own seeded random) and idempotent: contracts are looked up
by reference, their parts by contract, measurements by contract, metric and date, the policy by
name, and closed months are skipped. Everything is written through the services, so the demo
has an audit trail, and every month is closed with ``close_month`` so results, credit proposals,
earn-backs and scores exist after ``make run``.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from partnerdesk.accounts.models import User
from partnerdesk.contracts.models import Contract, Deliverable
from partnerdesk.contracts.services.contracts import contract_change_status, contract_create
from partnerdesk.contracts.services.parts import (
    deliverable_create,
    deliverable_record,
    dispute_ladder_save,
    raci_save,
)
from partnerdesk.demo.contracts_data import (
    CONTRACTS,
    DENOMINATORS,
    DISPUTE_LADDER,
    EVIDENCE,
    GOOD_PATTERN,
    MILESTONES,
    MONTHS,
    POLICY,
    RACI,
    SLIDE,
    TERMS,
    VALUE_RANGES,
)
from partnerdesk.organisation.models import Person, Team
from partnerdesk.partners.models import Partner, PartnerContact
from partnerdesk.performance.choices import Aggregation, MeasurementSource, MetricSource
from partnerdesk.performance.models import (
    CreditProposal,
    Exclusion,
    Measurement,
    Metric,
    PartnerScore,
    PeriodClose,
    ScorecardPolicy,
    ServiceLevel,
)
from partnerdesk.performance.periods import month_end, month_start, next_month, previous_month
from partnerdesk.performance.selectors import is_closed
from partnerdesk.performance.services.closing import close_month
from partnerdesk.performance.services.measurements import measurement_record
from partnerdesk.performance.services.policies import policy_create
from partnerdesk.performance.services.service_levels import (
    exclusion_decide,
    exclusion_request,
    service_level_create,
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    day = month_start(day)
    for _step in range(abs(months)):
        day = next_month(day) if months > 0 else previous_month(day)
    return day


def demo_months(today: datetime.date) -> list[datetime.date]:
    """The twelve months ending with the last complete one, oldest first."""
    last = previous_month(today)
    return [add_months(last, k - MONTHS + 1) for k in range(MONTHS)]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _dates(kind: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    if kind == "expiring":
        return add_months(today, -23), today + datetime.timedelta(days=45)
    if kind == "draft":
        start = add_months(today, 1)
        return start, add_months(start, 24) - datetime.timedelta(days=1)
    start = add_months(today, -14)
    return start, add_months(start, 36) - datetime.timedelta(days=1)


def _contract(owner_user, row, today) -> Contract:
    existing = Contract.objects.filter(reference=row["reference"]).first()
    if existing:
        return existing
    partner = Partner.objects.get(code=row["partner"])
    start, end = _dates(row["kind"], today)
    owner = Person.objects.filter(
        full_name="Wang Fang" if partner.kind == "contract_manufacturer" else "Sun Hao"
    ).first()
    contract = contract_create(
        user=owner_user,
        partner=partner,
        data={
            "reference": row["reference"],
            "title": row["title"],
            "outsourced_scope": row["scope"],
            "objectives": row["objectives"],
            "scope_of_work": row["scope"],
            "start_date": start,
            "end_date": end,
            "currency": partner.currency,
            "value": row["fee"] * ((end.year - start.year) * 12 + end.month - start.month + 1),
            "monthly_fee": row["fee"],
            "at_risk_percent": Decimal(12),
            "payment_terms": "60 days end of month",
            "auto_renew": row["kind"] == "running",
            "renewal_months": 12,
            "notice_days": 90,
            "review_every_months": 3,
            "next_review_date": today + datetime.timedelta(days=20 + len(row["reference"]) * 2),
            "termination_triggers": (
                "Three consecutive months in the Poor standing; an uncorrected critical "
                "quality escape; insolvency."
            ),
            "termination_notice_days": 90,
            "owner": owner,
        },
    )
    for metric_code, name, pool, earn_back in row["levels"]:
        terms = dict(TERMS[metric_code])
        terms.update(
            critical=pool is not None,
            pool_allocation_percent=Decimal(pool or 0),
            earn_back_periods=earn_back,
        )
        service_level_create(
            user=owner_user,
            contract=contract,
            metric=Metric.objects.get(code=metric_code),
            name=name,
            terms=terms,
        )
    _ladder(owner_user, contract)
    _raci(owner_user, contract)
    if row["kind"] != "draft":
        contract = contract_change_status(
            user=owner_user,
            contract=contract,
            to_status="active",
            reason="Signed by both parties; PPAP and first article approved.",
        )
    if row["kind"] == "expiring":
        contract = contract_change_status(
            user=owner_user,
            contract=contract,
            to_status="expiring",
            reason="Ends within 90 days; the renewal tender is running.",
        )
    return contract


def _contacts(contract) -> dict[str, PartnerContact]:
    contacts: dict[str, PartnerContact] = {}
    for contact in PartnerContact.objects.filter(partner_id=contract.partner_id).order_by("id"):
        contacts.setdefault(contact.role, contact)
    return contacts


def _ladder(user, contract) -> None:
    contacts = _contacts(contract)
    people = {p.full_name: p for p in Person.objects.all()}
    dispute_ladder_save(
        user=user,
        contract=contract,
        levels=[
            {
                "name": name,
                "response_hours": hours,
                "internal_people": [people[n] for n in names if n in people],
                "partner_contacts": [contacts[r] for r in roles if r in contacts],
            }
            for name, hours, names, roles in DISPUTE_LADDER
        ],
    )


def _raci(user, contract) -> None:
    contacts = _contacts(contract)
    fallback = contacts.get("account_manager") or next(iter(contacts.values()), None)
    teams = {t.name: t for t in Team.objects.all()}
    rows = []
    for activity, cells in RACI:
        assignments, seen = [], set()
        for (kind, key), letter in cells:
            party = teams.get(key) if kind == "team" else contacts.get(key, fallback)
            if party is None or (type(party), party.pk) in seen:
                continue
            seen.add((type(party), party.pk))
            assignments.append((party, letter))
        rows.append({"activity": activity, "assignments": assignments})
    raci_save(user=user, contract=contract, rows=rows)


def _deliverables(user, contract, row, months, today) -> None:
    if Deliverable.objects.filter(contract=contract).exists():
        return
    items = []  # (name, kind, due, delivered_on or None)
    if row["kind"] != "draft":
        for k, month in enumerate(months):
            due = month.replace(day=8)
            late = k in row["late"]
            delivered = due + datetime.timedelta(days=3 + k % 5 if late else -2)
            name = f"Monthly performance report {previous_month(month):%Y-%m}"
            items.append((name, "deliverable", due, delivered))
    last = months[-1]
    for name, offset, days_late in MILESTONES:
        due = add_months(last, offset).replace(day=20)
        if row["kind"] == "draft" and due < today:
            continue
        delivered = None if days_late is None else due + datetime.timedelta(days=days_late - 2)
        items.append((name, "milestone", due, delivered))
    for name, kind, due, delivered in items:
        item = deliverable_create(
            user=user, contract=contract, data={"kind": kind, "name": name, "due_date": due}
        )
        if delivered is not None and delivered <= today:
            item = deliverable_record(
                user=user, deliverable=item, action="deliver", delivered_on=delivered
            )
            deliverable_record(user=user, deliverable=item, action="accept")


def _quality(row, index: int, metric_code: str, k: int) -> Decimal:
    if row.get("slide") and k in SLIDE:
        return SLIDE[k]
    if (metric_code, k) in row["breaches"]:
        return row["breaches"][(metric_code, k)]
    return GOOD_PATTERN[(k + index) % len(GOOD_PATTERN)]


def _value(metric: Metric, q: Decimal) -> Decimal:
    worst, best = VALUE_RANGES[metric.code]
    places = Decimal(1).scaleb(-min(metric.decimals, 2))
    return (worst + q * (best - worst)).quantize(places, rounding=ROUND_HALF_UP)


def _measurements(user, contract, row, index, months, seed) -> int:
    metrics = {
        m.code: m
        for m in Metric.objects.filter(code__in=[code for code, *_rest in row["levels"]])
        if m.source != MetricSource.DERIVED
    }
    existing = set(
        Measurement.objects.filter(contract=contract, is_current=True).values_list(
            "metric_id", "measured_on"
        )
    )
    recorded = 0
    for code, metric in metrics.items():
        rng = random.Random(f"{seed}-{contract.reference}-{code}")
        for k, month in enumerate(months):
            day = month_end(month)
            q = _quality(row, index, code, k)
            denominator = rng.randint(*DENOMINATORS.get(code, (1, 1)))
            if (metric.pk, day) in existing or is_closed(month):
                continue
            value = _value(metric, q)
            ratio = {}
            if metric.aggregation == Aggregation.RATIO:
                numerator = (value * denominator / 100).quantize(Decimal(1), ROUND_HALF_UP)
                ratio = {
                    "numerator": min(numerator, Decimal(denominator)),
                    "denominator": Decimal(denominator),
                }
            measurement_record(
                user=user,
                contract=contract,
                metric=metric,
                measured_on=day,
                value=None if ratio else value,
                source=MeasurementSource.IMPORT
                if metric.source == MetricSource.IMPORTED
                else MeasurementSource.MANUAL,
                evidence=EVIDENCE[code].format(period=month.strftime("%Y-%m")),
                **ratio,
            )
            recorded += 1
    return recorded


def _exclusions(requester, approver, contract, row, months) -> None:
    for (code, k), reason in row.get("exclusions", {}).items():
        level = ServiceLevel.objects.get(contract=contract, metric__code=code)
        if Exclusion.objects.filter(service_level=level, period=months[k]).exists():
            continue
        if is_closed(months[k]):
            continue
        exclusion = exclusion_request(
            user=requester, service_level=level, period=months[k], reason=reason
        )
        exclusion_decide(user=approver, exclusion=exclusion, approve=True)


def _policy(user, months) -> None:
    if ScorecardPolicy.objects.filter(name=POLICY["name"]).exists():
        return
    if PeriodClose.objects.filter(reopened_at__isnull=True, period__gte=months[0]).exists():
        return  # closes exist already: a policy can no longer start at the first month
    policy_create(
        user=user,
        name=POLICY["name"],
        effective_from=months[0],
        decay=POLICY["decay"],
        window=POLICY["window"],
        criteria=[
            {
                "metric": code,
                "weight": weight,
                "worst": VALUE_RANGES[code][0],
                "best": VALUE_RANGES[code][1],
            }
            for code, weight in POLICY["criteria"]
        ],
        bands=POLICY["bands"],
    )


def load_performance_demo(*, seed: int = 2026, today: datetime.date | None = None):
    """Contracts for the demo partners, a year of measurements, and the closes of that year.
    Returns the counts to print."""
    today = today or timezone.localdate()
    months = demo_months(today)
    owner = _user("wang.fang")
    quality = _user("zhang.wei")
    finance = _user("li.na")
    management = _user("liu.yang")
    for index, row in enumerate(CONTRACTS):
        contract = _contract(owner, row, today)
        _deliverables(owner, contract, row, months, today)
        if row["kind"] != "draft":
            _measurements(quality, contract, row, index, months, seed)
            _exclusions(owner, finance, contract, row, months)
    _policy(management, months)
    for month in months:
        if not is_closed(month):
            close_month(actor=finance, period=month, today=today)
    return {
        "contracts": Contract.objects.count(),
        "service_levels": ServiceLevel.objects.count(),
        "measurements": Measurement.objects.count(),
        "period_closes": PeriodClose.objects.count(),
        "credit_proposals": CreditProposal.objects.count(),
        "partner_scores": PartnerScore.objects.count(),
    }
