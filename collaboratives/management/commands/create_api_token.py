"""Make an API token for a person from the command line (a site administrator setting up a
script); people make their own on their profile page. Replaces DRF's drf_create_token."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from collaboratives.tokens import api_token_create, api_token_days_max


class Command(BaseCommand):
    help = "Make a named API token for a person and print its key (shown this once only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What uses it, e.g. 'laptop script'.")
        parser.add_argument("--days", type=int, default=None,
                            help=f"Days until it expires (default and most: API_TOKEN_DAYS, "
                                 f"now {api_token_days_max()}).")

    def handle(self, *args: object, username: str, name: str, days: int | None,
               **options: object) -> None:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
        try:
            token, key = api_token_create(user=user, name=name, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(f"Token {token.name!r} for {username}, valid until "
                          f"{token.expires:%Y-%m-%d %H:%M %Z}. The key is shown only now; "
                          f"send it as 'Authorization: Token <key>':")
        self.stdout.write(key)
