"""Polling adapters: how we ask a carrier that does not push where its parcels are.

An adapter has ``batch_size`` and ``fetch(*, feed, waybills) -> list[dict]``, returning
events in the webhook's shape (``{"waybill", "status", "time", "location", "text"}``, the
status in the feed's vocabulary). ``CarrierFeed.adapter`` names one of ``ADAPTERS``. A
carrier with its own API gets its own class here, translating its answer into that shape.
"""

from __future__ import annotations

from typing import Protocol

import requests

from .models import CarrierFeed


class TrackingAdapter(Protocol):
    batch_size: int

    def fetch(self, *, feed: CarrierFeed, waybills: list[str]) -> list[dict]: ...


class HttpJsonAdapter:
    """``GET <poll_url>?waybills=A,B`` answering ``{"events": [...]}`` (the carrier
    simulator's polling door, and any carrier that speaks our shape)."""

    batch_size = 50
    timeout = 10

    def fetch(self, *, feed: CarrierFeed, waybills: list[str]) -> list[dict]:
        response = requests.get(
            feed.poll_url, params={"waybills": ",".join(waybills)}, timeout=self.timeout
        )
        response.raise_for_status()
        events = response.json().get("events", [])
        return events if isinstance(events, list) else []


ADAPTERS: dict[str, type] = {"http_json": HttpJsonAdapter}


def adapter_for(feed: CarrierFeed) -> TrackingAdapter:
    """The adapter ``feed`` names (``http_json`` when it names none)."""
    return ADAPTERS.get(feed.adapter or "http_json", HttpJsonAdapter)()
