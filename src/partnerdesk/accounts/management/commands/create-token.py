from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partnerdesk.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        _, raw = api_token_create(user=user, name=name)
        self.stdout.write(raw)
