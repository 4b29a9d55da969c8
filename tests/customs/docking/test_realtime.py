"""Announcement 179: the signed text is exactly customs' format, amounts lose trailing zeros,
and the exchange works end to end against the simulator (immediate answer, signed upload, a
reused sessionID refused). The platform endpoint here is a stand-in written for the test: the
real one needs orders and payments and comes with the declaration layer."""

from __future__ import annotations

import json
import threading
from decimal import Decimal as D
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests

from customs.realtime import payex
from customs.signing.algorithms import SignatureAlgorithm

from .conftest import make_signer, wait_for

# The example customs' integration guides publish (sessionID, head, one order, two goods).
PUBLISHED = (
    '"sessionID":"ad2254-8hewyf32-55616249"||"payExchangeInfoHead":"{"guid":"9D55BA71-22DE-'
    '41F4-8B50-C36C83B3B530","initalRequest":"原始请求","initalResponse":"ok","ebpCode":'
    '"4404840022","payCode":"312226T001","payTransactionId":"2018121222001354081010726129",'
    '"totalAmount":100,"currency":"142","verDept":"3","payType":"1","tradingTime":'
    '"20181212041803","note":"批量订单，测试订单优化,生成多个so订单"}"||"payExchangeInfoLists":'
    '"[{"orderNo":"SO1710301150602574003","goodsInfo":[{"gname":"lhy-gnsku3","itemLink":'
    '"http://m.yunjiweidian.com/yunjibuyer/static/vue-buyer/idc/index.html#/detail?itemId='
    '999761&shopId=453"},{"gname":"lhy-gnsku2","itemLink":"http://m.yunjiweidian.com/'
    'yunjibuyer/static/vue-buyer/idc/index.html#/detail?itemId=999760&shopId=453"}],'
    '"recpAccount":"OSA571908863132601","recpCode":"","recpName":"YUNJIHONGKONGLIMITED"}]"||'
    '"serviceTime":"1544519952469"'
)


def published_head(amount: D = D("100.00")) -> payex.PayExchangeHead:
    return payex.PayExchangeHead(
        guid="9D55BA71-22DE-41F4-8B50-C36C83B3B530",
        inital_request="原始请求",
        inital_response="ok",
        ebp_code="4404840022",
        pay_code="312226T001",
        pay_transaction_id="2018121222001354081010726129",
        total_amount=amount,
        ver_dept="3",
        pay_type="1",
        trading_time="20181212041803",
        note="批量订单，测试订单优化,生成多个so订单",
    )


PUBLISHED_ITEMS = (
    payex.PayExchangeItem(
        order_no="SO1710301150602574003",
        goods=(
            payex.Goods(
                "lhy-gnsku3",
                "http://m.yunjiweidian.com/yunjibuyer/static/vue-buyer/"
                "idc/index.html#/detail?itemId=999761&shopId=453",
            ),
            payex.Goods(
                "lhy-gnsku2",
                "http://m.yunjiweidian.com/yunjibuyer/static/vue-buyer/"
                "idc/index.html#/detail?itemId=999760&shopId=453",
            ),
        ),
        recp_account="OSA571908863132601",
        recp_name="YUNJIHONGKONGLIMITED",
    ),
)


def test_the_signed_text_is_customs_published_format():
    text = payex.sign_text(
        "ad2254-8hewyf32-55616249", published_head(), PUBLISHED_ITEMS, "1544519952469"
    )
    assert text == PUBLISHED


@pytest.mark.parametrize(
    ("amount", "text"), [("100.00", "100"), ("88.08", "88.08"), ("88.10", "88.1"), ("0.00", "0")]
)
def test_amounts_have_no_trailing_zeros(amount, text):
    assert payex.amount_text(D(amount)) == text


def test_an_upload_reads_back_and_its_field_order_is_checked():
    signer = make_signer(SignatureAlgorithm.SM2_SM3)
    body = payex.sign_upload(signer, "s-1", published_head(D("88.10")), PUBLISHED_ITEMS, "1")
    upload = payex.parse_upload(body)
    assert upload.head.total_amount == D("88.1") and upload.cert_no == signer.key_name
    assert '"totalAmount":88.1,' in body
    swapped = body.replace(
        '"guid":"9D55BA71-22DE-41F4-8B50-C36C83B3B530","initalRequest":"原始请求"',
        '"initalRequest":"原始请求","guid":"9D55BA71-22DE-41F4-8B50-C36C83B3B530"',
    )
    with pytest.raises(payex.UploadInvalid, match="fixed order"):
        payex.parse_upload(swapped)
    with pytest.raises(payex.UploadInvalid, match="trailing zeros"):
        payex.parse_upload(body.replace('"totalAmount":88.1,', '"totalAmount":88.10,'))


class Platform:
    """A stand-in for the platform's platDataOpen endpoint: answers at once, uploads later."""

    def __init__(self, simulator_url: str, signer, *, tamper: bool = False):
        self.simulator_url = simulator_url
        self.signer = signer
        self.tamper = tamper
        self.requests: list[dict] = []
        self.uploads: list[dict] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers["Content-Length"])
                form = parse_qs(self.rfile.read(length).decode())
                open_req = json.loads(form["openReq"][0])
                platform.requests.append(open_req)
                body = json.dumps({"code": "10000", "message": "", "serviceTime": "1"}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                threading.Thread(target=platform.upload, args=(open_req,)).start()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/platDataOpen"

    def upload(self, open_req: dict) -> None:
        items = (
            payex.PayExchangeItem(
                order_no=open_req["orderNo"],
                goods=PUBLISHED_ITEMS[0].goods,
                recp_account="OSA571908863132601",
                recp_name="SILKWAY HK LIMITED",
            ),
        )
        body = payex.sign_upload(
            self.signer, open_req["sessionID"], published_head(D("210.00")), items, "1700000000000"
        )
        if self.tamper:
            body = body.replace('"totalAmount":210', '"totalAmount":21')
        self.uploads.append({"body": body})
        answer = requests.post(
            f"{self.simulator_url}/ceb2grab/grab/realTimeDataUpload",
            data={"payExInfoStr": body},
            timeout=5,
        ).json()
        self.uploads[-1]["answer"] = answer

    def close(self):
        self.server.shutdown()


@pytest.mark.parametrize("algorithm", list(SignatureAlgorithm), ids=lambda a: a.value)
def test_the_179_exchange_end_to_end(simulator, algorithm):
    signer = make_signer(algorithm, key_name="01690d9e")
    simulator.register_certificate(signer.key_name, signer.certificate_der)
    platform = Platform(simulator.url, signer)
    try:
        asked = requests.post(
            f"{simulator.url}/_realtime/ask",
            json={"order_no": "SW202600000001", "platform_url": platform.url},
            timeout=10,
        ).json()
        assert asked["answer"]["code"] == "10000"
        assert asked["seconds"] < 2  # the platform answers at once; the upload comes after
        assert platform.requests[0]["orderNo"] == "SW202600000001"
        wait_for(lambda: platform.uploads and "answer" in platform.uploads[-1])
        assert platform.uploads[0]["answer"]["code"] == "10000", platform.uploads[0]["answer"]
        # The same sessionID again is refused.
        again = requests.post(
            f"{simulator.url}/ceb2grab/grab/realTimeDataUpload",
            data={"payExInfoStr": platform.uploads[0]["body"]},
            timeout=5,
        ).json()
        assert again["code"] == "20002"
    finally:
        platform.close()


def test_a_tampered_or_unregistered_upload_is_refused(simulator):
    signer = make_signer(SignatureAlgorithm.SM2_SM3, key_name="cert-7")
    simulator.register_certificate(signer.key_name, signer.certificate_der)
    platform = Platform(simulator.url, signer, tamper=True)
    stranger = Platform(simulator.url, make_signer(SignatureAlgorithm.SM2_SM3, key_name="nobody"))
    try:
        for p in (platform, stranger):
            requests.post(
                f"{simulator.url}/_realtime/ask",
                json={"order_no": "SW202600000002", "platform_url": p.url},
                timeout=10,
            )
            wait_for(lambda p=p: p.uploads and "answer" in p.uploads[-1])
        assert platform.uploads[0]["answer"] == {"code": "20005", "message": "验签失败"}
        assert stranger.uploads[0]["answer"]["code"] == "20004"
    finally:
        platform.close()
        stranger.close()
