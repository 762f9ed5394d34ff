"""Benchmark: the daily certificate-expiry reminder job.

Size at --scale 1: 20,000 certifications over 5,000 partners, each partner with two internal
owners who sign in; about a fifth of the certificates are inside a reminder window.

Product path: ``certification_send_reminders`` (the service the scheduled task calls), which
writes reminder rows and notifications. Floor: one SQL query that selects the same due
certificates and bulk inserts the same number of reminder rows and notification rows.
"""

import datetime
import random

from _harness import median_seconds, report, setup, teardown


def build(n_partners: int, n_certs: int, today):
    from django.contrib.auth import get_user_model

    from partnerdesk.organisation.models import Department, Person
    from partnerdesk.partners.models import Certification, InternalOwner, Partner

    rng = random.Random(7)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"owner{i}", email=f"owner{i}@example.com") for i in range(20)]
    )
    dept = Department.objects.create(kind="quality", name="Quality")
    people = Person.objects.bulk_create(
        [Person(full_name=f"Owner {i}", department=dept, user=u) for i, u in enumerate(users)]
    )
    partners = Partner.objects.bulk_create(
        [
            Partner(
                code=f"P{i:06d}",
                legal_name=f"Partner {i}",
                kind="material_supplier",
                status="active",
                country="CN",
            )
            for i in range(n_partners)
        ]
    )
    owners = []
    for p in partners:
        owners.append(InternalOwner(partner=p, person=rng.choice(people), role="relationship"))
        owners.append(InternalOwner(partner=p, person=rng.choice(people), role="quality"))
    InternalOwner.objects.bulk_create(owners, ignore_conflicts=True)
    certs = [
        Certification(
            partner=partners[i % n_partners],
            standard="iso_9001",
            expires_on=today + datetime.timedelta(days=rng.randint(0, 450)),
        )
        for i in range(n_certs)
    ]
    Certification.objects.bulk_create(certs, batch_size=2000)


def main():
    args = setup(__doc__)
    from django.db import connection, transaction

    from partnerdesk.notifications.models import Notification
    from partnerdesk.partners.models import CertificationReminder
    from partnerdesk.partners.services import certification_send_reminders

    today = datetime.date(2026, 11, 21)
    n_certs = max(20, int(20_000 * args.scale))
    build(max(5, n_certs // 4), n_certs, today)

    def reset():
        CertificationReminder.objects.all().delete()
        Notification.objects.all().delete()

    sent = {}

    def product():
        sent["n"] = certification_send_reminders(today=today)

    seconds = median_seconds(product, repeat=args.repeat, before=reset)

    floor_sql_reminders = """
        INSERT INTO partners_certificationreminder (certification_id, days_before, expires_on,
                                                    sent_at)
        SELECT c.id, CASE WHEN c.expires_on <= %(d30)s THEN 30
                          WHEN c.expires_on <= %(d60)s THEN 60 ELSE 90 END,
               c.expires_on, %(now)s
        FROM partners_certification c
        WHERE c.expires_on BETWEEN %(today)s AND %(d90)s
    """
    floor_sql_notifications = """
        INSERT INTO notifications_notification (recipient_id, kind, title, body, link,
                                                created_at, dedupe_key)
        SELECT DISTINCT p.user_id, 'certification_expiry', 'expires', '', '', %(now)s,
               'cert-' || c.id || '-' || o.role
        FROM partners_certification c
        JOIN partners_internalowner o ON o.partner_id = c.partner_id
        JOIN organisation_person p ON p.id = o.person_id
        WHERE c.expires_on BETWEEN %(today)s AND %(d90)s AND p.user_id IS NOT NULL
    """
    from django.utils import timezone

    params = {
        "today": today,
        "now": timezone.now(),
        "d30": today + datetime.timedelta(days=30),
        "d60": today + datetime.timedelta(days=60),
        "d90": today + datetime.timedelta(days=90),
    }

    def floor():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(floor_sql_reminders, params)
            cursor.execute(floor_sql_notifications, params)

    floor_seconds = median_seconds(floor, repeat=args.repeat, before=reset)
    report(
        "certification_reminders",
        n_certs,
        seconds,
        floor_seconds,
        reminders=sent["n"],
        db=connection.vendor,
    )
    teardown(args)


if __name__ == "__main__":
    main()
