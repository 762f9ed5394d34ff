"""Loads the demo company. Deterministic (seeded) and idempotent: every record is looked up
by a natural key first, so running it again adds nothing twice.

Records are written through the services, so the demo has an audit trail like real data.
Dates are relative to today, so there are always certificates about to expire.
"""

import datetime
import hashlib
import random

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from partnerdesk.accounts.models import User
from partnerdesk.accounts.services import sync_roles
from partnerdesk.demo.finance import load_finance_demo
from partnerdesk.demo.logins import DEMO_USERS
from partnerdesk.demo.partners_data import (
    CONTACT_NAMES,
    FOREIGN_CONTACT_NAMES,
    PARTNERS,
    PEOPLE,
    TEAMS,
)
from partnerdesk.demo.performance_demo import load_performance_demo
from partnerdesk.demo.quality import load_quality_demo
from partnerdesk.demo.regrind import load_regrind_demo
from partnerdesk.organisation.models import Department, DepartmentKind, Person, Team
from partnerdesk.partners import services
from partnerdesk.partners.choices import ContactRole, OwnerRole
from partnerdesk.partners.models import Certification, Partner, PartnerContact

STATUS_PATHS = {
    "prospect": [],
    "qualified": ["qualified"],
    "active": ["qualified", "active"],
    "suspended": ["qualified", "active", "suspended"],
    "terminated": ["qualified", "active", "terminated"],
}
STATUS_REASONS = {
    "qualified": "Passed the on-site qualification audit and sample approval.",
    "active": "First purchase order released after PPAP approval.",
    "suspended": "Two rejected lots in a row; supply suspended until the 8D is closed.",
    "terminated": "Tooling transferred to a local moulder; contract ended by mutual agreement.",
}
CERTS_BY_KIND = {
    "contract_manufacturer": ["iso_9001", "iso_14001", "iatf_16949"],
    "material_supplier": ["iso_9001", "iso_14001"],
    "service_provider": ["iso_9001"],
    "logistics": ["iso_9001", "iso_45001"],
    "other": [],
}
ISSUERS = ["TÜV SÜD", "SGS", "BSI", "DNV", "Bureau Veritas", "CQC"]


def _departments() -> dict[str, Department]:
    departments = {}
    for kind in DepartmentKind:
        departments[kind.value], _ = Department.objects.get_or_create(
            kind=kind.value, defaults={"name": str(kind.label)}
        )
        for team_name in TEAMS[kind.value]:
            Team.objects.get_or_create(department=departments[kind.value], name=team_name)
    return departments


def _users(departments) -> dict[str, User]:
    users = {}
    for username, password, full_name, role, dept, team, partner_code in DEMO_USERS:
        first, _, last = full_name.partition(" ")
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@partnerdesk.example",
            )
            if partner_code:
                user.partner = Partner.objects.get(code=partner_code)
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        if dept:
            team_obj = Team.objects.filter(department=departments[dept], name=team).first()
            Person.objects.get_or_create(
                user=user,
                defaults={
                    "full_name": full_name,
                    "email": user.email,
                    "department": departments[dept],
                    "team": team_obj,
                    "job_title": role.capitalize(),
                },
            )
        users[username] = user
    return users


def _people(departments) -> dict[str, Person]:
    people = {p.full_name: p for p in Person.objects.all()}
    for full_name, dept, team, title in PEOPLE:
        if full_name not in people:
            team_obj = Team.objects.get(department=departments[dept], name=team)
            people[full_name] = Person.objects.create(
                full_name=full_name,
                department=departments[dept],
                team=team_obj,
                job_title=title,
                email=f"{full_name.lower().replace(' ', '.')}@partnerdesk.example",
            )
    for team in Team.objects.filter(lead__isnull=True):
        lead = Person.objects.filter(team=team, job_title="Team lead").first()
        if lead:
            team.lead = lead
            team.save(update_fields=["lead"])
    return people


def _partner(admin, row) -> tuple[Partner, bool]:
    code, name, kind, country, currency, status, categories, capabilities = row
    existing = Partner.objects.filter(code=code).first()
    if existing:
        return existing, False
    partner = services.partner_create(
        user=admin,
        data={
            "code": code,
            "legal_name": name,
            "kind": kind,
            "country": country,
            "currency": currency,
            "tax_id": f"91{int(hashlib.sha256(code.encode()).hexdigest(), 16) % 10**16:016d}"
            if country == "CN"
            else "",
            "categories": categories,
            "capabilities": capabilities,
            "notes": "",
        },
    )
    for step in STATUS_PATHS[status]:
        # The service returns the moved partner; later steps (documents) read its status.
        partner = services.partner_change_status(
            user=admin, partner=partner, to_status=step, reason=STATUS_REASONS[step]
        )
    return partner, True


def _contacts(admin, partner, rng: random.Random) -> None:
    if PartnerContact.objects.filter(partner=partner).exists():
        return
    names = FOREIGN_CONTACT_NAMES.get(partner.country.code) or rng.sample(CONTACT_NAMES, 4)
    roles = [
        ContactRole.ACCOUNT_MANAGER,
        ContactRole.QUALITY,
        ContactRole.FINANCE,
        ContactRole.ESCALATION_2,
    ]
    domain = partner.code.lower().replace("-", "") + ".example.com"
    for index, name in enumerate(names[: rng.randint(2, 4)]):
        services.contact_create(
            user=admin,
            partner=partner,
            data={
                "name": name,
                "role": roles[index % len(roles)],
                "email": f"{name.lower().replace(' ', '.')}@{domain}",
                "phone": f"+86 755 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                "is_primary": index == 0,
            },
        )


def _owners(admin, partner, people) -> None:
    if partner.internal_owners.exists():
        return
    relationship = (
        people["Wang Fang"] if partner.kind == "contract_manufacturer" else (people["Sun Hao"])
    )
    services.owner_add(
        user=admin, partner=partner, person=relationship, role=OwnerRole.RELATIONSHIP
    )
    services.owner_add(
        user=admin, partner=partner, person=people["Zhang Wei"], role=OwnerRole.QUALITY
    )
    if partner.kind in ("contract_manufacturer", "material_supplier"):
        services.owner_add(
            user=admin, partner=partner, person=people["Li Na"], role=OwnerRole.FINANCE
        )
        services.owner_add(
            user=admin, partner=partner, person=people["Liu Yang"], role=OwnerRole.ESCALATION_2
        )


def _certifications(admin, partner, rng: random.Random, today: datetime.date, index: int):
    if Certification.objects.filter(partner=partner).exists():
        return
    # Spread expiries: a few expired, several within 30/60/90 days, most later.
    offsets = [-12, 18, 25, 41, 55, 74, 88, 120, 200, 300, 420, 610]
    for position, standard in enumerate(CERTS_BY_KIND[partner.kind]):
        days = offsets[(index * 3 + position * 5) % len(offsets)] + rng.randint(0, 4)
        expires = today + datetime.timedelta(days=days)
        services.certification_create(
            user=admin,
            partner=partner,
            data={
                "standard": standard,
                "certificate_number": (
                    f"{standard.replace('_', '').upper()}-{rng.randint(10**5, 10**6 - 1)}"
                ),
                "issuer": rng.choice(ISSUERS),
                "issued_on": expires - datetime.timedelta(days=3 * 365),
                "expires_on": expires,
                "scope": "Design and manufacture of plastic parts.",
            },
        )


def _pdf_bytes(title: str) -> bytes:
    """A tiny valid one-page PDF with a title line."""
    text = title.replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 60 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _documents(admin, partner, today) -> None:
    if partner.documents.exists() or partner.status not in ("active", "suspended"):
        return
    files = [
        ("contract", f"Supply agreement {partner.code}", False),
        ("nda", f"Mutual NDA {partner.code}", False),
    ]
    if partner.kind in ("contract_manufacturer", "material_supplier"):
        files.append(("bank_details", f"Bank account confirmation {partner.code}", True))
    for doc_type, title, confidential in files:
        upload = ContentFile(_pdf_bytes(title), name=f"{title.replace(' ', '_')}.pdf")
        services.document_upload(
            user=admin,
            partner=partner,
            uploaded_file=upload,
            data={
                "document_type": doc_type,
                "title": title,
                "confidential": confidential,
                "valid_from": today - datetime.timedelta(days=400),
                "valid_until": today + datetime.timedelta(days=700)
                if doc_type == "contract"
                else None,
            },
        )


@transaction.atomic
def load_demo_company(*, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    today = timezone.localdate()
    sync_roles()
    departments = _departments()
    # Partners first: partner users point at them.
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create(
            username="admin", first_name="Ada", last_name="Lin", email="admin@partnerdesk.example"
        )
        admin.set_password(DEMO_USERS[0][1])
        admin.save()
    admin.groups.add(Group.objects.get(name="administrator"))
    admin = User.objects.get(pk=admin.pk)  # fresh permission cache
    partners = [(_partner(admin, row)[0]) for row in PARTNERS]
    users = _users(departments)
    people = _people(departments)
    people.update({u.get_full_name(): u.person for u in users.values() if hasattr(u, "person")})
    for index, partner in enumerate(partners):
        _contacts(admin, partner, rng)
        _owners(admin, partner, people)
        _certifications(admin, partner, rng, today, index)
        _documents(admin, partner, today)
    performance = load_performance_demo(seed=seed, today=today)
    finance = load_finance_demo(today=today)
    quality = load_quality_demo(seed=seed, today=today)  # inspects the finance demo's receipts
    regrind = load_regrind_demo(seed=seed, today=today)
    return {
        "partners": Partner.objects.count(),
        "contacts": PartnerContact.objects.count(),
        "certifications": Certification.objects.count(),
        "people": Person.objects.count(),
        "users": User.objects.count(),
        **performance,
        **finance,
        **quality,
        **regrind,
    }
