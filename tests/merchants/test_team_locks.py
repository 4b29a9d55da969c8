"""Two owners demoting each other at the same moment: the merchant keeps an owner.

Each change used to lock only the membership it changed and count the owners unlocked, so
both could count two owners, both demote, and leave a merchant nobody can manage. The
schedule is forced (``tests.locking.run_interleaved``): the first demotion pauses just
before it writes, after its check.
"""

import pytest
from django.db import connection
from django.test import Client

from merchants.models import Membership
from merchants.roles import Role
from tests.factories import MembershipFactory
from tests.locking import run_interleaved

pytestmark = pytest.mark.django_db(transaction=True)


def test_owners_demoting_each_other_leave_one_owner():
    assert connection.vendor == "postgresql"
    ada = MembershipFactory(role=Role.OWNER)
    bo = MembershipFactory(merchant=ada.merchant, role=Role.OWNER)
    clients = {}
    for membership in (ada, bo):
        clients[membership.pk] = Client(raise_request_exception=False)
        clients[membership.pk].force_login(membership.user)

    def demote(actor, target):
        return lambda: clients[actor.pk].patch(
            f"/api/v1/seller/team/{target.pk}/", {"role": "staff"}, content_type="application/json"
        )

    run = run_interleaved(demote(ada, bo), demote(bo, ada), pause_before=r"^UPDATE")

    owners = Membership.objects.filter(merchant=ada.merchant, role=Role.OWNER, is_active=True)
    assert owners.count() == 1
    assert run.second_waited
    assert run.first.value.status_code == 200
    refused = run.second.value  # it waited for the first, then saw one owner left
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["role"] == ["A merchant must keep at least one owner."]
