"""``manage.py seed_demo``: load the demo marketplace (idempotent) and print the logins."""

from django.core.management.base import BaseCommand

from marketplace.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load demo merchants, staff, an operator and categories. Safe to run again."

    def handle(self, *args, **options):
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        self.stdout.write(f"All demo accounts use the password: {DEMO_PASSWORD}")
        for login in logins:
            self.stdout.write(f"  {login.email:<32} {login.role:<40} {login.where}")
