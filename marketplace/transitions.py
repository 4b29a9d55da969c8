"""One way to move a stateful row: declared transitions, named errors, an event per move.

A workflow declares its lifecycle once, readable in one place::

    PRODUCT_FLOW = Workflow(
        field="status",
        transitions={
            "submit": Transition(sources={"draft", "rejected"}, target="pending_review"),
            "approve": Transition(sources={"pending_review"}, target="approved"),
        },
    )

and a service moves a row with ``PRODUCT_FLOW.apply(product, "approve", by=user,
event_model=ProductEvent, reason="")``: the row is locked, the move checked against the
table (an illegal move raises ``IllegalTransition``), the new state saved, and one event row
written (who, when, from, to, why) in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from marketplace.locking import for_update
from marketplace.rules import field_error


class IllegalTransition(Exception):
    """A move the lifecycle table does not allow from the row's current state."""

    def __init__(self, name: str, current: str):
        self.name = name
        self.current = current
        super().__init__(f"cannot {name} from {current}")


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str] | set[str]
    target: str
    reason_required: bool = False


@dataclass
class Workflow:
    field: str
    transitions: dict[str, Transition] = field(default_factory=dict)

    def allowed(self, current: str) -> list[str]:
        """Names of the transitions open from ``current`` (for buttons and docs)."""
        return [name for name, t in self.transitions.items() if current in t.sources]

    def can(self, obj, name: str) -> bool:
        t = self.transitions.get(name)
        return t is not None and getattr(obj, self.field) in t.sources

    @transaction.atomic
    def apply(self, obj, name: str, *, by, event_model, reason: str = "", **event_fields):
        """Move ``obj`` through transition ``name``; returns the written event row."""

        try:
            transition = self.transitions[name]
        except KeyError as exc:
            raise IllegalTransition(name, getattr(obj, self.field)) from exc
        # Only the moved row is locked here; a service moving a child row (a revision, an
        # order) takes its aggregate's locks first, in the lock order (docs/ARCHITECTURE.md).
        locked = for_update(type(obj).objects).get(pk=obj.pk)
        current = getattr(locked, self.field)
        if current not in transition.sources:
            raise IllegalTransition(name, current)
        if transition.reason_required and not reason.strip():
            raise field_error("reason", _("Please give a reason."), "reason_required")
        setattr(locked, self.field, transition.target)
        setattr(obj, self.field, transition.target)
        locked.save(update_fields=[self.field])
        return event_model.objects.create(
            subject=locked,
            transition=name,
            from_state=current,
            to_state=transition.target,
            actor=by if getattr(by, "is_authenticated", False) else None,
            reason=reason,
            **event_fields,
        )


class TransitionEvent(models.Model):
    """Abstract event row: subclasses add ``subject = ForeignKey(<their model>)``."""

    transition = models.CharField(_("transition"), max_length=40)
    from_state = models.CharField(_("from"), max_length=30)
    to_state = models.CharField(_("to"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
