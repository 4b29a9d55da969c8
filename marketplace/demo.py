"""Demo data for the embedded default: who and what a newcomer sees after `make run`.

The kernel owns only the frame: the demo password, the operator, the list of logins
``seed_demo`` prints, and the order steps run in. Each app says what it adds in its own
``demo.py``, as ``DEMO_STEPS``: a list of ``DemoStep(name, run, after=…)``. ``seed_demo``
finds them the way the admin finds ``admin.py`` modules (by app name, at run time), so the
kernel imports no app. A step names the steps it needs by their names (``after``), so an app
can depend on another app's demo rows without importing it; steps without an order between
them run in ``INSTALLED_APPS`` order.

Every step is idempotent (get-or-create on natural keys), so seeding twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_PASSWORD = "silkway-demo-2026"
OPERATOR_EMAIL = "ops@silkway.local"


@dataclass
class DemoLogin:
    email: str
    role: str
    where: str


@dataclass(frozen=True)
class DemoStep:
    """One app's part of the demo: ``run(demo)`` after the steps named in ``after``."""

    name: str
    run: Callable[[Demo], None]
    after: tuple[str, ...] = ()


@dataclass
class Demo:
    """What the steps share: the operator, demo users, the logins to print."""

    logins: list[DemoLogin] = field(default_factory=list)

    def user(self, email: str, *, operator: bool = False):
        """The demo user ``email`` (created with ``DEMO_PASSWORD`` the first time)."""
        users = get_user_model().objects
        user = users.filter(email=email).first()
        if user is None:
            if operator:
                user = users.create_superuser(email=email, password=DEMO_PASSWORD)
            else:
                user = users.create_user(email=email, password=DEMO_PASSWORD)
        return user

    @property
    def operator(self):
        return self.user(OPERATOR_EMAIL, operator=True)

    def login(self, email: str, role: str, where: str) -> None:
        """Add a line to what ``seed_demo`` prints."""
        self.logins.append(DemoLogin(email, role, where))


def demo_steps() -> list[DemoStep]:
    """Every installed app's ``DEMO_STEPS``, in an order that runs each after its ``after``."""
    found: dict[str, DemoStep] = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if find_spec(name) is None:
            continue
        for step in getattr(import_module(name), "DEMO_STEPS", ()):
            if step.name in found:
                raise ValueError(f"two demo steps are named {step.name!r}")
            found[step.name] = step
    graph = TopologicalSorter()
    for step in found.values():  # in app order, so steps with no order between them keep it
        missing = [name for name in step.after if name not in found]
        if missing:
            raise ValueError(f"demo step {step.name!r} needs unknown steps {missing}")
        graph.add(step.name, *step.after)
    return [found[name] for name in graph.static_order()]


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Create (or leave as they are) the demo marketplace; returns the logins to print."""
    demo = Demo()
    demo.user(OPERATOR_EMAIL, operator=True)
    demo.login(OPERATOR_EMAIL, "operator", "/en/ops/")
    for step in demo_steps():
        step.run(demo)
    return demo.logins
