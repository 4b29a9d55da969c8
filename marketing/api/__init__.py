"""The shopper's marketing API (``/api/v1/flash/…``, ``/api/v1/coupons/…``): what the flash-sale
page and the coupon centre do, for a mobile app. Thin: the same selectors and services as the
pages; refusals come back through the API's one error format (``marketplace.api.errors``)."""
