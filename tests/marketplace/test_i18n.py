"""Languages: prefixed URLs, the switcher keeps the page, no English on a zh-hans page."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from marketplace.demo import seed_demo

ROOT = Path(__file__).resolve().parents[2]

# Words allowed in Latin script on a Chinese page: language names in the switcher, codes.
# brand and code names stay Latin in Chinese pages (Stripe: the payment provider)
ALLOWED_LATIN = {"English", "CN", "JP", "NZ", "X-Merchant", "ISO", "Stripe"}
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _VisibleText(HTMLParser):
    """Visible UI text of a page. Content that people wrote (product and brand names,
    merchant names, emails) is marked ``translate="no"`` in the templates, the HTML
    standard's way of saying "this is not to be translated"; it is skipped here."""

    def __init__(self):
        super().__init__()
        self.skip = 0
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipping = tag in {"script", "style"} or attrs.get("translate") == "no"
        if tag not in VOID_TAGS:
            self.stack.append((tag, skipping))
            if skipping:
                self.skip += 1
        if self.skip or skipping:
            return
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.chunks.append(attrs[name])

    def handle_endtag(self, tag):
        # pop up to the matching open tag (tolerates unclosed <p>, <li>…)
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                for _tag, skipping in self.stack[index:]:
                    if skipping:
                        self.skip -= 1
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.skip:
            self.chunks.append(data)


def english_words(html: str) -> set[str]:
    parser = _VisibleText()
    parser.feed(html)
    words = set(re.findall(r"[A-Za-z][A-Za-z'-]+", " ".join(parser.chunks)))
    return words - ALLOWED_LATIN


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/zh-hans/",
        "/zh-hans/accounts/login/",
        "/zh-hans/accounts/signup/",
        "/zh-hans/accounts/password-reset/",
    ],
)
def test_zh_hans_pages_have_no_english_ui_text(client, path):
    seed_demo()
    html = client.get(path).content.decode()
    assert english_words(html) == set(), path


@pytest.mark.django_db
def test_seller_portal_in_chinese_has_no_english(client_for):
    seed_demo()
    from accounts.models import User

    client = client_for(User.objects.get(email="store@silkway.local"))
    for path in ("/zh-hans/seller/", "/zh-hans/seller/team/"):
        html = client.get(path).content.decode()
        # the staff emails on the team page are data, not UI text
        html = re.sub(r"[\w.+-]+@[\w.-]+", "", html)
        assert english_words(html) == set(), path


def test_content_marked_translate_no_is_not_ui_text():
    html = (
        '<p>商品</p><li translate="no">Tim Tam <b>G-SHOCK</b></li><br><img alt="图片">'
        "<p>Buy now</p>"
    )
    assert english_words(html) == {"Buy", "now"}


@pytest.mark.django_db
def test_unprefixed_url_redirects_by_browser_language(client):
    response = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 302 and response.url == "/zh-hans/"


@pytest.mark.django_db
def test_switcher_links_keep_you_on_the_same_page(client):
    html = client.get("/en/accounts/login/").content.decode()
    assert "/i18n/switch/zh-hans/?next=%2Fen%2Faccounts%2Flogin%2F" in html
    response = client.get("/i18n/switch/zh-hans/?next=/en/accounts/login/")
    assert response.url == "/zh-hans/accounts/login/"
    assert response.cookies["django_language"].value == "zh-hans"


def test_switcher_refuses_to_redirect_off_site(client):
    response = client.get("/i18n/switch/en/?next=https://evil.example/")
    assert response.url == "/"


@pytest.mark.django_db
def test_translated_content_falls_back_to_the_other_language():
    from django.utils import translation

    from catalog.models import Category

    category = Category.objects.create(slug="tea", name_en="Tea", name_zh_hans="")
    with translation.override("zh-hans"):
        assert category.name == "Tea"
    category.name_zh_hans = "茶叶"
    category.save()
    with translation.override("zh-hans"):
        assert Category.objects.get(pk=category.pk).name == "茶叶"


def test_every_message_is_translated_into_chinese():
    with open(ROOT / "locale/zh_Hans/LC_MESSAGES/django.po", "rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []


# The switch used to resolve ``next`` under the request's language (cookie or browser), so
# a page in the other language did not resolve and the switch sent you back to it.
EN_BROWSER, ZH_BROWSER = "en-US,en;q=0.9", "zh-CN,zh;q=0.9"
SWITCHES = [  # (browser language, the page, where switching lands)
    (EN_BROWSER, "/zh-hans/p/57/", "/en/p/57/"),
    (ZH_BROWSER, "/en/p/57/", "/zh-hans/p/57/"),
    (EN_BROWSER, "/zh-hans/search/?q=%E8%8C%B6&page=2", "/en/search/?q=%E8%8C%B6&page=2"),
    (ZH_BROWSER, "/en/seller/team/", "/zh-hans/seller/team/"),
    (EN_BROWSER, "/zh-hans/seller/payout/", "/en/seller/payout/"),
    (ZH_BROWSER, "/en/ops/catalog/product/?o=1", "/zh-hans/ops/catalog/product/?o=1"),
    (EN_BROWSER, "/zh-hans/ops/", "/en/ops/"),
    # a page that does not exist keeps its place in the other language
    (EN_BROWSER, "/zh-hans/no-such-page/", "/en/no-such-page/"),
    ("", "/zh-hans/", "/en/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("browser", "next_url", "landing"), SWITCHES)
def test_switch_lands_on_the_other_languages_page_whatever_the_browser_says(
    client, browser, next_url, landing
):
    code = landing.split("/")[1]
    headers = {"Accept-Language": browser} if browser else {}
    response = client.get(f"/i18n/switch/{code}/", {"next": next_url}, headers=headers)
    assert response.status_code == 302
    assert response.url == landing
    assert response.cookies["django_language"].value == code
    assert response.cookies["django_language"]["samesite"] == "Lax"


@pytest.mark.django_db
def test_switch_ignores_a_cookie_naming_the_other_language(client):
    client.cookies["django_language"] = "zh-hans"
    response = client.get("/i18n/switch/en/", {"next": "/zh-hans/accounts/login/"})
    assert response.url == "/en/accounts/login/"
    assert response.cookies["django_language"].value == "en"
    # and the landing page is English, cookie and all
    page = client.get(response.url, headers={"Accept-Language": "zh-CN"})
    assert "<h1>Log in</h1>" in page.content.decode()


@pytest.mark.django_db
def test_switch_moves_the_log_in_pages_next_along(client):
    response = client.get(
        "/i18n/switch/en/",
        {"next": "/zh-hans/ops/login/?next=/zh-hans/ops/customs/hsrate/"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.url == "/en/ops/login/?next=%2Fen%2Fops%2Fcustoms%2Fhsrate%2F"


@pytest.mark.django_db
def test_switch_to_a_language_the_site_does_not_speak_is_not_found(client):
    # Django ships French messages, but Silkway has no /fr/ pages: no cookie, no redirect
    response = client.get("/i18n/switch/fr/", {"next": "/en/"})
    assert response.status_code == 404
    assert "django_language" not in response.cookies


def _msgids(path: Path, *, translated: bool = True) -> set[str]:
    """The msgids of a catalogue (only those translated, unless ``translated`` is False)."""
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    ids = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and (not translated or (all(strings) and not message.fuzzy)):
            ids.add(message.id if isinstance(message.id, str) else message.id[0])
    return ids


def test_django_messages_shown_on_our_pages_all_have_chinese():
    """Django's zh_Hans catalogues lag behind its own messages (5.2 changed the password
    length message, and its Chinese stayed the old one, so sign-up said "This password is
    too short" on the Chinese page). Every message of Django and the contrib apps we install,
    as Django's English source catalogue lists them, has Chinese here or in Django's."""
    import django
    from django.conf import settings

    django_root = Path(django.__file__).parent
    ours = _msgids(ROOT / "locale/zh_Hans/LC_MESSAGES/django.po")
    sources = [django_root / "conf/locale"] + [
        django_root / "contrib" / app.split(".")[-1] / "locale"
        for app in settings.INSTALLED_APPS
        if app.startswith("django.contrib.")
    ]
    missing = {}
    for source in sources:
        english = source / "en/LC_MESSAGES/django.po"
        if not english.exists():
            continue
        chinese = _msgids(source / "zh_Hans/LC_MESSAGES/django.po") | ours
        gaps = _msgids(english, translated=False) - chinese
        if gaps:
            missing[str(source.relative_to(django_root))] = sorted(gaps)
    assert missing == {}
