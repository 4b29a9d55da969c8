"""The pricing pipeline (marketing/pricing.py): worked examples a shopper would check by hand,
and properties over generated orders (hypothesis): totals never negative, line shares add
up to every discount to the fen, the steps in their fixed order, bearers' halves add up."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from marketing.pricing import (
    PLATFORM,
    STEPS,
    Bearer,
    Kind,
    Line,
    PointsRedemption,
    Promotion,
    Scope,
    ScopeKind,
    Step,
    allocate,
    price_order,
)

D = Decimal


def honey(qty=1, price="199.00", **kw):
    return Line(
        key=f"honey-{qty}-{price}",
        merchant_id=1,
        quantity=qty,
        unit_price=D(price),
        product_id=10,
        category_id=100,
        brand_id=7,
        group="1-bonded-1",
        **kw,
    )


def balm(qty=1, price="39.00", **kw):
    return Line(
        key="balm",
        merchant_id=1,
        quantity=qty,
        unit_price=D(price),
        product_id=11,
        category_id=101,
        group="1-bonded-1",
        **kw,
    )


def serum(qty=1, price="120.00", **kw):
    return Line(
        key="serum",
        merchant_id=2,
        quantity=qty,
        unit_price=D(price),
        product_id=20,
        category_id=100,
        group="2-direct-2",
        **kw,
    )


SAVE_TIERS = Promotion(
    ref="tiers",
    step=Step.SPEND_AND_SAVE,
    kind=Kind.TIERS,
    tiers=((D("299"), D("30")), (D("599"), D("80"))),
)


def test_spend_and_save_takes_the_best_tier_reached():
    two = price_order(lines=[honey(2)], currency="CNY", promotions=[SAVE_TIERS])  # 398
    four = price_order(lines=[honey(4)], currency="CNY", promotions=[SAVE_TIERS])  # 796
    one = price_order(lines=[honey(1)], currency="CNY", promotions=[SAVE_TIERS])  # 199

    assert two.order_discount == D("30.00") and two.total == D("368.00")
    assert four.order_discount == D("80.00")
    assert one.order_discount == 0 and [r.code for r in one.refused] == ["below_threshold"]


def test_an_order_discount_is_allocated_by_largest_remainder_to_the_fen():
    # 10.00 off three lines of 1.00 each (as weights 1:1:1 of 3.00 it would be 3.333…)
    lines = [Line(key=k, merchant_id=1, quantity=1, unit_price=D("3.33")) for k in ("a", "b", "c")]
    promo = Promotion(ref="ten", step=Step.COUPON, kind=Kind.FIXED, amount=D("1.00"))
    result = price_order(lines=lines, currency="CNY", promotions=[promo])
    assert [line.discount for line in result.lines] == [D("0.34"), D("0.33"), D("0.33")]
    assert result.order_discount == D("1.00")


def test_percentage_coupon_with_a_cap():
    promo = Promotion(ref="p", step=Step.COUPON, kind=Kind.PERCENT, percent=D("10"), cap=D("15"))
    small = price_order(lines=[balm(2)], currency="CNY", promotions=[promo])
    big = price_order(lines=[honey(2)], currency="CNY", promotions=[promo])
    assert small.order_discount == D("7.80")
    assert big.order_discount == D("15.00")


def test_scopes_cover_only_their_lines():
    by_category = Promotion(
        ref="cat",
        step=Step.COUPON,
        kind=Kind.FIXED,
        amount=D("20"),
        scope=Scope(ScopeKind.CATEGORY, frozenset({100})),
    )
    by_brand = Promotion(
        ref="brand",
        step=Step.SPEND_AND_SAVE,
        kind=Kind.FIXED,
        amount=D("5"),
        scope=Scope(ScopeKind.BRAND, frozenset({7})),
    )
    result = price_order(
        lines=[honey(), balm(), serum()], currency="CNY", promotions=[by_brand, by_category]
    )
    honey_r, balm_r, serum_r = result.lines
    assert balm_r.discount == 0
    assert honey_r.discount + serum_r.discount == D("25.00")
    assert {s.ref for s in serum_r.shares} == {"cat"}


def test_one_coupon_per_merchant_and_one_platform_coupon():
    m1a = Promotion(
        ref="m1a",
        step=Step.COUPON,
        kind=Kind.FIXED,
        amount=D("5"),
        issuer_merchant_id=1,
        scope=Scope(ScopeKind.MERCHANT, merchant_id=1),
    )
    m1b = Promotion(
        ref="m1b",
        step=Step.COUPON,
        kind=Kind.FIXED,
        amount=D("5"),
        issuer_merchant_id=1,
        scope=Scope(ScopeKind.MERCHANT, merchant_id=1),
    )
    p1 = Promotion(ref="p1", step=Step.COUPON, kind=Kind.FIXED, amount=D("10"), bearer=PLATFORM)
    p2 = Promotion(ref="p2", step=Step.COUPON, kind=Kind.FIXED, amount=D("10"), bearer=PLATFORM)
    result = price_order(lines=[honey(), serum()], currency="CNY", promotions=[m1a, m1b, p1, p2])
    assert [a.ref for a in result.applied] == ["m1a", "p1"]
    assert {(r.ref, r.code) for r in result.refused} == {
        ("m1b", "coupon_stack_limit"),
        ("p2", "coupon_stack_limit"),
    }


def test_an_exclusive_promotion_keeps_its_lines_to_itself():
    exclusive = Promotion(
        ref="solo", step=Step.SPEND_AND_SAVE, kind=Kind.FIXED, amount=D("10"), stackable=False
    )
    coupon = Promotion(ref="c", step=Step.COUPON, kind=Kind.FIXED, amount=D("5"))
    result = price_order(lines=[honey()], currency="CNY", promotions=[coupon, exclusive])
    assert [a.ref for a in result.applied] == ["solo"]  # spend-and-save comes before coupons
    assert [(r.ref, r.code) for r in result.refused] == [("c", "not_stackable")]


def test_flash_price_lines_take_no_coupon_but_points_apply():
    line = honey(2, flash_units=1, flash_unit_price=D("99.00"))
    coupon = Promotion(ref="c", step=Step.COUPON, kind=Kind.FIXED, amount=D("5"))
    result = price_order(
        lines=[line], currency="CNY", promotions=[coupon], points=PointsRedemption(points=1000)
    )
    (r,) = result.lines
    assert r.price_cut == D("100.00")  # one unit 199 → 99
    assert r.non_cash == D("10.00")  # 1,000 points at 0.01
    assert [(x.ref, x.code) for x in result.refused] == [("c", "not_stackable")]


def test_points_are_a_non_cash_deduction_capped_at_their_share():
    result = price_order(
        lines=[honey()],
        currency="CNY",
        points=PointsRedemption(points=50_000, max_share=D("0.5")),
    )
    assert result.points_used == 9950  # 99.50 is half of 199.00
    assert result.non_cash_deductions == D("99.50")
    assert result.lines[0].price_cut == 0  # the taxable price does not fall


def test_vouchers_do_not_lower_the_taxable_price_and_coupons_do():
    voucher = Promotion(
        ref="v",
        step=Step.COUPON,
        kind=Kind.FIXED,
        amount=D("20"),
        cuts_price=False,
        bearer=PLATFORM,
    )
    result = price_order(lines=[honey()], currency="CNY", promotions=[voucher])
    assert result.lines[0].price_cut == 0 and result.non_cash_deductions == D("20.00")


def test_free_shipping_coupon_zeroes_its_merchants_groups():
    free = Promotion(
        ref="ship",
        step=Step.COUPON,
        kind=Kind.FREE_SHIPPING,
        threshold=D("100"),
        scope=Scope(ScopeKind.MERCHANT, merchant_id=1),
        issuer_merchant_id=1,
    )
    shipping = {"1-bonded-1": D("12.00"), "2-direct-2": D("30.00")}
    result = price_order(
        lines=[honey(), serum()], currency="CNY", promotions=[free], shipping=shipping
    )
    assert result.shipping == {"1-bonded-1": D("0.00"), "2-direct-2": D("30.00")}
    assert result.total == D("199.00") + D("120.00") + D("30.00")
    assert result.shipping_shares["1-bonded-1"][0].merchant == D("12.00")


def test_free_shipping_is_per_order_and_refused_where_shipping_is_already_free():
    free = Promotion(
        ref="ship", step=Step.COUPON, kind=Kind.FREE_SHIPPING, threshold=D("50"), bearer=PLATFORM
    )
    lines = [
        Line(key="a", merchant_id=1, quantity=1, unit_price=D("60"), group="g1"),
        Line(key="b", merchant_id=2, quantity=1, unit_price=D("40"), group="g2"),
    ]
    # the threshold is per order: g2's goods (40) do not reach it, g1's (60) do
    result = price_order(
        lines=lines, currency="CNY", promotions=[free], shipping={"g1": D("8"), "g2": D("9")}
    )
    assert result.shipping == {"g1": D("0.00"), "g2": D("9")}
    assert result.shipping_shares["g1"][0].platform == D("8.00")
    assert [a.amount for a in result.applied] == [D("8.00")]
    # an order shipped free already: refused with its own reason
    result = price_order(
        lines=lines[:1], currency="CNY", promotions=[free], shipping={"g1": D("0")}
    )
    assert [(r.ref, r.code) for r in result.refused] == [("ship", "shipping_free")]


def test_a_refused_free_shipping_coupon_frees_its_issuers_place_in_that_order():
    """Kiwi's free shipping from ¥300 comes first, then its ¥15 off ¥100: on ¥199 of honey
    the free shipping is refused at the shipping step, so the ¥15 off takes Kiwi's place
    (before: refused, ``coupon_stack_limit``, and the shopper got neither)."""
    kiwi = Scope(ScopeKind.MERCHANT, merchant_id=1)
    free = Promotion(
        ref="ship", step=Step.COUPON, kind=Kind.FREE_SHIPPING, threshold=D("300"),
        scope=kiwi, issuer_merchant_id=1,
    )  # fmt: skip
    off = Promotion(
        ref="off", step=Step.COUPON, kind=Kind.FIXED, amount=D("15"), threshold=D("100"),
        scope=kiwi, issuer_merchant_id=1,
    )  # fmt: skip

    result = price_order(
        lines=[honey()], currency="CNY", promotions=[free, off], shipping={"1-bonded-1": D("12")}
    )

    assert [(a.ref, a.amount) for a in result.applied] == [("off", D("15.00"))]
    assert [(r.ref, r.code) for r in result.refused] == [("ship", "below_threshold")]
    assert result.shipping == {"1-bonded-1": D("12")}
    assert result.total == D("199.00") - D("15.00") + D("12")  # 196.00
    # an order already shipped free frees the place the same way, with its own reason
    result = price_order(
        lines=[honey()], currency="CNY", promotions=[free, off], shipping={"1-bonded-1": D("0")}
    )
    assert [a.ref for a in result.applied] == ["off"]
    assert [(r.ref, r.code) for r in result.refused] == [("ship", "shipping_free")]
    # with two orders, the place is freed only where it was refused: g2 (¥400) ships free
    lines = [
        honey(),
        Line(key="big", merchant_id=1, quantity=2, unit_price=D("200"), group="g2"),
    ]
    result = price_order(
        lines=lines, currency="CNY", promotions=[free, off],
        shipping={"1-bonded-1": D("12"), "g2": D("10")},
    )  # fmt: skip
    assert [(a.ref, a.amount) for a in result.applied] == [
        ("off", D("15.00")),
        ("ship", D("10.00")),
    ]
    assert result.shipping == {"1-bonded-1": D("12"), "g2": D("0.00")}
    assert result.lines[0].discount == D("15.00") and result.lines[1].discount == D("0")
    # without the shipping (the goods' pass before shipping is quoted) the place is held
    result = price_order(lines=[honey()], currency="CNY", promotions=[free, off])
    assert [(r.ref, r.code) for r in result.refused] == [
        ("off", "coupon_stack_limit"), ("ship", "below_threshold"),
    ]  # fmt: skip


def test_a_merchant_coupon_per_order_two_orders_of_one_merchant_take_two():
    def coupon(ref):
        return Promotion(
            ref=ref,
            step=Step.COUPON,
            kind=Kind.FIXED,
            amount=D("5"),
            issuer_merchant_id=1,
            scope=Scope(ScopeKind.PRODUCT, frozenset({1 if ref == "c1" else 2}), merchant_id=1),
        )

    lines = [
        Line(key="a", merchant_id=1, quantity=1, unit_price=D("60"), product_id=1, group="g1"),
        Line(key="b", merchant_id=1, quantity=1, unit_price=D("40"), product_id=2, group="g2"),
    ]
    result = price_order(lines=lines, currency="CNY", promotions=[coupon("c1"), coupon("c2")])
    assert [a.ref for a in result.applied] == ["c1", "c2"]
    same_order = [line.__class__(**{**line.__dict__, "group": "g1"}) for line in lines]
    result = price_order(lines=same_order, currency="CNY", promotions=[coupon("c1"), coupon("c2")])
    assert [(r.ref, r.code) for r in result.refused] == [("c2", "coupon_stack_limit")]


def test_the_cost_bearer_is_recorded_on_every_line_share():
    shared = Promotion(
        ref="s", step=Step.COUPON, kind=Kind.FIXED, amount=D("10.01"), bearer=Bearer(30)
    )
    result = price_order(lines=[honey()], currency="CNY", promotions=[shared])
    (share,) = result.lines[0].shares
    assert (share.platform, share.merchant) == (D("3.00"), D("7.01"))


# ---------------------------------------------------------------------------- properties

amounts = st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2)


@st.composite
def orders(draw):
    n = draw(st.integers(1, 6))
    lines = []
    for i in range(n):
        qty = draw(st.integers(1, 5))
        price = draw(amounts)
        flash = draw(st.integers(0, qty))
        lines.append(
            Line(
                key=f"l{i}",
                merchant_id=draw(st.integers(1, 3)),
                quantity=qty,
                unit_price=price,
                product_id=i,
                category_id=draw(st.integers(1, 3)),
                brand_id=draw(st.none() | st.integers(1, 2)),
                group=f"g{draw(st.integers(1, 2))}",
                flash_units=flash,
                flash_unit_price=(price * D("0.5")).quantize(D("0.01")) if flash else None,
            )
        )
    promos = []
    for j in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(list(Kind)))
        step = (
            Step.COUPON
            if kind == Kind.FREE_SHIPPING
            else draw(st.sampled_from([Step.SPEND_AND_SAVE, Step.COUPON]))
        )
        scope = draw(
            st.sampled_from(
                [
                    Scope(),
                    Scope(ScopeKind.MERCHANT, merchant_id=1),
                    Scope(ScopeKind.CATEGORY, frozenset({1, 2})),
                    Scope(ScopeKind.BRAND, frozenset({1})),
                ]
            )
        )
        promos.append(
            Promotion(
                ref=f"p{j}",
                step=step,
                kind=kind,
                scope=scope,
                threshold=draw(st.sampled_from([D(0), D("100"), D("500")])),
                amount=draw(amounts),
                percent=draw(st.decimals(min_value=1, max_value=99, places=0)),
                cap=draw(st.none() | amounts),
                tiers=((D("50"), draw(amounts)), (D("300"), draw(amounts))),
                stackable=draw(st.booleans()),
                cuts_price=draw(st.booleans()),
                bearer=Bearer(draw(st.integers(0, 100))),
                issuer_merchant_id=draw(st.none() | st.integers(1, 3)),
            )
        )
    points = draw(st.none() | st.builds(PointsRedemption, points=st.integers(0, 10**6)))
    shipping = {"g1": draw(amounts), "g2": draw(amounts)}
    return lines, promos, points, shipping


@settings(max_examples=300, deadline=None)
@given(orders())
def test_properties_of_every_priced_order(order):
    lines, promos, points, shipping = order
    result = price_order(
        lines=lines, currency="CNY", promotions=promos, points=points, shipping=shipping
    )

    # never negative, anywhere
    assert result.total >= 0
    assert all(line.paid >= 0 for line in result.lines)
    assert all(v >= 0 for v in result.shipping.values())
    # the line shares of each promotion add up to what it took off, to the fen
    for applied in result.applied:
        shares = [s for line in result.lines for s in line.shares if s.ref == applied.ref]
        shares += [s for ss in result.shipping_shares.values() for s in ss if s.ref == applied.ref]
        assert sum(s.amount for s in shares) == applied.amount
    assert sum(line.discount for line in result.lines) == result.order_discount
    goods_applied = sum(a.amount for a in result.applied if a.step != Step.SHIPPING)
    assert goods_applied == result.order_discount
    # at most one coupon of each issuer per order (shipping group), free shipping included
    issuers = {p.ref: p.issuer_merchant_id for p in promos if p.step == Step.COUPON}
    held: dict[tuple[str, int | None], set[str]] = {}
    for line, priced in zip(lines, result.lines, strict=True):
        for s in priced.shares:
            if s.ref in issuers:
                held.setdefault((line.group, issuers[s.ref]), set()).add(s.ref)
    for group, ss in result.shipping_shares.items():
        for s in ss:
            held.setdefault((group, issuers[s.ref]), set()).add(s.ref)
    assert all(len(refs) == 1 for refs in held.values())
    # the steps ran in their fixed order
    positions = [STEPS.index(a.step) for a in result.applied]
    assert positions == sorted(positions)
    # who bears it: the halves add up, and every amount is in fen
    for line in result.lines:
        for s in line.shares:
            assert s.platform + s.merchant == s.amount
            assert s.amount == s.amount.quantize(D("0.01"))
    # points never take more than their share of what the goods cost after coupons
    if points:
        before = sum(line.gross - line.price_cut for line in result.lines) - sum(
            s.amount
            for line in result.lines
            for s in line.shares
            if not s.cuts_price and s.step != Step.POINTS
        )
        assert D(result.points_used) * points.value_per_point <= before * points.max_share + D(
            "0.01"
        )


@given(st.integers(0, 10**6), st.lists(st.integers(0, 10**5), min_size=1, max_size=12))
def test_allocate_adds_up_and_never_exceeds_a_weight(total, weights):
    total = min(total, sum(weights))
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert all(0 <= p <= w for p, w in zip(parts, weights, strict=True))
