"""The cross-tenant helper: proves a page or API endpoint never leaks another merchant's row.

Usage, for any seller page or seller API URL that names merchant A's object::

    assert_cross_tenant_404(url, owner=tenants.a.client, intruder=tenants.b.client)

The owner (a member of A) must reach the object; the intruder (a member of merchant B, who
is a perfectly valid seller elsewhere) must get 404 for every method given, exactly as for an
object that does not exist, and must not change it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

WRITE_METHODS = ("put", "patch", "delete")


def assert_cross_tenant_404(
    url: str,
    *,
    owner,
    intruder,
    methods: tuple[str, ...] = ("get",),
    data: dict | None = None,
    content_type: str = "application/json",
) -> None:
    """Assert ``owner`` can GET ``url`` and ``intruder`` gets 404 for each of ``methods``."""
    seen = owner.get(url)
    assert seen.status_code == 200, (
        f"the owning merchant should see {url}, got {seen.status_code}: the check proves nothing"
    )
    for method in methods:
        call = getattr(intruder, method)
        kwargs = {}
        if method in WRITE_METHODS or method == "post":
            kwargs = {"data": data or {}, "content_type": content_type}
        response = call(url, **kwargs)
        assert response.status_code == 404, (
            f"{method.upper()} {url} by another merchant returned {response.status_code}, "
            "expected 404 (another merchant's object must look like it does not exist)"
        )
    after = owner.get(url)
    assert after.status_code == 200, f"{url} disappeared for its owner after the intruder's calls"


@dataclass
class Tenant:
    merchant: object
    owner: object
    client: object
    membership: object


@dataclass
class TenantPair:
    a: Tenant
    b: Tenant


@pytest.fixture
def tenants(db, client_for):
    """Two approved merchants, each with an owner who is signed in on their own client."""
    from tests.factories import MembershipFactory

    def make() -> Tenant:
        membership = MembershipFactory()
        return Tenant(
            merchant=membership.merchant,
            owner=membership.user,
            client=client_for(membership.user),
            membership=membership,
        )

    return TenantPair(a=make(), b=make())
