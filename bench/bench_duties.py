"""Benchmark of the duty & tax engine against bare Decimal arithmetic, side by side in one run.

    .venv/bin/python bench/bench_duties.py

Measures quotes/s and line calculations/s for a realistic 5-line China cross-border order and a
5-line EU (IOSS, flat-duty period) order, and a baseline loop doing one Decimal multiply and
quantize(ROUND_HALF_UP) per line for the same number of lines. Best of N repeats with
time.perf_counter on one core. Prints a table, then one JSON summary line; exits 1 when the
engine falls below 30,000 line calculations per second.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from customs.engine import (  # noqa: E402 - the path above makes the project importable
    FLAG_HIGH_END_COSMETIC,
    ClearanceMode,
    LineItem,
    QuoteRequest,
    load_ratebook,
    quote,
)

TARGET_LINES_PER_SECOND = 30_000
REPEATS = 7
QUOTES_PER_REPEAT = 2_000
LINES_PER_ORDER = 5


def china_order() -> QuoteRequest:
    """A 9610 direct-purchase order: serum (high-end, CT), formula, tees, earbuds, vitamins."""
    return QuoteRequest(
        destination="CN",
        mode=ClearanceMode.DIRECT,
        order_date=date(2026, 11, 22),
        currency="CNY",
        lines=(
            LineItem(
                "SERUM-50ML",
                "3304990099",
                1,
                Decimal("680.00"),
                "CNY",
                attributes=frozenset({FLAG_HIGH_END_COSMETIC}),
            ),
            LineItem(
                "FORMULA-800G", "1901101000", 2, Decimal("238.00"), "CNY", discount=Decimal("20.00")
            ),
            LineItem("TEE-M", "6109100022", 3, Decimal("59.90"), "CNY"),
            LineItem("EARBUDS", "8518300000", 1, Decimal("69.90"), "USD"),
            LineItem("VITAMIN-C", "2106909090", 2, Decimal("128.00"), "CNY"),
        ),
        freight=Decimal("25.00"),
        insurance=Decimal("3.00"),
        non_cash_deductions=Decimal("30.00"),
        buyer_year_to_date=Decimal("3200.00"),
        fx_rates={"USD": Decimal("7.1234")},
    )


def eu_order() -> QuoteRequest:
    """An IOSS order to Germany after 2026-07-01: five lines, four distinct sub-headings."""
    return QuoteRequest(
        destination="DE",
        mode=ClearanceMode.EXPORT_RETAIL,
        order_date=date(2026, 11, 22),
        currency="EUR",
        lines=(
            LineItem("TEE-M", "6109100010", 2, Decimal("9.90"), "EUR"),
            LineItem("TEE-L", "6109100010", 1, Decimal("9.90"), "EUR"),
            LineItem("EARBUDS", "8518300095", 1, Decimal("19.99"), "EUR"),
            LineItem("PUZZLE", "9503006100", 1, Decimal("12.50"), "EUR"),
            LineItem("PHRASEBOOK", "4901990000", 1, Decimal("64.00"), "CNY"),
        ),
        freight=Decimal("6.90"),
        fx_rates={"CNY": Decimal("0.1287")},
    )


def best_of(run: Callable[[], None], repeats: int = REPEATS) -> float:
    """The fastest of ``repeats`` timings of ``run`` (the least disturbed by the machine)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def pin_to_one_core() -> str:
    """Pin this process to one CPU where the OS allows it, so "one core" is literal."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to CPU {core}"


def main() -> int:
    """Run the benchmark, print the table and the JSON summary, return the exit status."""
    pinned = pin_to_one_core()
    book = load_ratebook()
    orders = {"china_cbec_9610": china_order(), "eu_ioss_de": eu_order()}
    for request in orders.values():  # a quote that raises or blocks would measure nothing
        assert not quote(request, book).blocked

    lines = QUOTES_PER_REPEAT * LINES_PER_ORDER
    prices = [
        Decimal("59.90"),
        Decimal("238.00"),
        Decimal("680.00"),
        Decimal("128.00"),
        Decimal("19.99"),
    ] * QUOTES_PER_REPEAT
    rate = Decimal("0.091")
    cent = Decimal("0.01")

    def baseline() -> None:
        for price in prices:
            (price * rate).quantize(cent, ROUND_HALF_UP)

    # The baseline takes about a millisecond a run, so a busy neighbour skews it more than
    # the engine: time it before and after the engine, with more repeats, and keep the best.
    baseline_seconds = best_of(baseline, REPEATS * 5)

    results = {}
    for name, request in orders.items():

        def engine(request: QuoteRequest = request) -> None:
            for _ in range(QUOTES_PER_REPEAT):
                quote(request, book)

        seconds = best_of(engine)
        results[name] = {
            "quotes_per_s": round(QUOTES_PER_REPEAT / seconds),
            "lines_per_s": round(lines / seconds),
        }

    baseline_lps = lines / min(baseline_seconds, best_of(baseline, REPEATS * 5))
    for figures in results.values():
        figures["ratio_to_baseline"] = round(figures["lines_per_s"] / baseline_lps, 4)

    print(
        f"duty engine benchmark  (Python {platform.python_version()}, {pinned}, "
        f"best of {REPEATS} x {QUOTES_PER_REPEAT} quotes)"
    )
    print(f"{'case':<18}{'quotes/s':>12}{'lines/s':>12}{'engine/baseline':>17}")
    for name, figures in results.items():
        print(
            f"{name:<18}{figures['quotes_per_s']:>12,}{figures['lines_per_s']:>12,}"
            f"{figures['ratio_to_baseline']:>17.4f}"
        )
    print(f"{'baseline':<18}{'':>12}{round(baseline_lps):>12,}{1:>17.4f}")
    slowest = min(figures["lines_per_s"] for figures in results.values())
    ok = slowest >= TARGET_LINES_PER_SECOND
    print(
        f"target >= {TARGET_LINES_PER_SECOND:,} line calculations/s: "
        f"{'met' if ok else 'MISSED'} (slowest case {slowest:,}/s)"
    )
    print(
        json.dumps(
            {
                "bench": "duties",
                "cases": results,
                "baseline_lines_per_s": round(baseline_lps),
                "min_lines_per_s": slowest,
                "target_lines_per_s": TARGET_LINES_PER_SECOND,
                "ok": ok,
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
