"""Marketing background work: thin periodic wrappers over the flash-sale services (beat;
idempotent, so a run that overlaps another is harmless)."""

from celery import shared_task

from marketing.flash import services as flash


@shared_task(name="marketing.tasks.flash_admissions_expire")
def flash_admissions_expire() -> int:
    """Periodic: expired admissions give their units back to the gate."""
    return flash.flash_admissions_expire()


@shared_task(name="marketing.tasks.flash_gates_reconcile")
def flash_gates_reconcile() -> int:
    """Periodic: every live or imminent sale's gate is rebuilt from PostgreSQL."""
    return flash.flash_gates_reconcile()


@shared_task(name="marketing.tasks.points_expire")
def points_expire() -> int:
    """Periodic: earned points past their period get their expiry rows."""
    from marketing.points.services import points_expire as expire

    return expire()
