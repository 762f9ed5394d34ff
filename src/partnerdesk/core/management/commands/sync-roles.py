from django.core.management.base import BaseCommand

from partnerdesk.accounts.services import sync_roles


class Command(BaseCommand):
    help = "Create or update the role groups and their permissions."

    def handle(self, *args, **options):
        for role, count in sync_roles().items():
            self.stdout.write(f"{role}: {count} permissions")
