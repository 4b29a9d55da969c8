"""The duty quote refuses HS codes written with non-ASCII digits (a 400, not a 500)."""

import pytest

pytestmark = pytest.mark.django_db

FULL_WIDTH = "３３０４９９００９９"
ARABIC_INDIC = "٣٣٠٤٩٩٠٠٩٩"


@pytest.mark.parametrize("hs_code", [FULL_WIDTH, ARABIC_INDIC])
def test_the_duty_quote_refuses_non_ascii_hs_codes_with_a_400(client, rate_tables, hs_code):
    body = {
        "destination": "CN",
        "mode": "direct",
        "order_date": "2026-11-22",
        "lines": [{"hs_code": hs_code, "quantity": 1, "unit_price": "300.00", "currency": "CNY"}],
    }
    response = client.post("/api/v1/duties/quote", body, content_type="application/json")
    assert response.status_code == 400
    assert "lines[0].hs_code" in response.json()["error"]["fields"]
