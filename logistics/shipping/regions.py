"""Where parcels go: country codes and China's provincial-level divisions.

Zones name destinations with ISO codes: a country (ISO 3166-1 alpha-2, ``FR``) or, for
mainland China, a province (ISO 3166-2, ``CN-XJ``). Provinces exist for China only: its
carriers price remote provinces (Xinjiang, Tibet…) differently, and Chinese addresses
always carry one. Hong Kong, Macao and Taiwan are shipped to as their own codes (HK, MO,
TW), not as provinces of ``CN``.
"""

from __future__ import annotations

from marketplace import countries
from marketplace.digits import is_ascii_digits
from marketplace.i18n import pick

# ISO 3166-2:CN (2017 letters) -> (English, Chinese), the 31 mainland provincial-level divisions.
CN_PROVINCES: dict[str, tuple[str, str]] = {
    "CN-AH": ("Anhui", "安徽"),
    "CN-BJ": ("Beijing", "北京"),
    "CN-CQ": ("Chongqing", "重庆"),
    "CN-FJ": ("Fujian", "福建"),
    "CN-GD": ("Guangdong", "广东"),
    "CN-GS": ("Gansu", "甘肃"),
    "CN-GX": ("Guangxi", "广西"),
    "CN-GZ": ("Guizhou", "贵州"),
    "CN-HA": ("Henan", "河南"),
    "CN-HB": ("Hubei", "湖北"),
    "CN-HE": ("Hebei", "河北"),
    "CN-HI": ("Hainan", "海南"),
    "CN-HL": ("Heilongjiang", "黑龙江"),
    "CN-HN": ("Hunan", "湖南"),
    "CN-JL": ("Jilin", "吉林"),
    "CN-JS": ("Jiangsu", "江苏"),
    "CN-JX": ("Jiangxi", "江西"),
    "CN-LN": ("Liaoning", "辽宁"),
    "CN-NM": ("Inner Mongolia", "内蒙古"),
    "CN-NX": ("Ningxia", "宁夏"),
    "CN-QH": ("Qinghai", "青海"),
    "CN-SC": ("Sichuan", "四川"),
    "CN-SD": ("Shandong", "山东"),
    "CN-SH": ("Shanghai", "上海"),
    "CN-SN": ("Shaanxi", "陕西"),
    "CN-SX": ("Shanxi", "山西"),
    "CN-TJ": ("Tianjin", "天津"),
    "CN-XJ": ("Xinjiang", "新疆"),
    "CN-XZ": ("Tibet", "西藏"),
    "CN-YN": ("Yunnan", "云南"),
    "CN-ZJ": ("Zhejiang", "浙江"),
}

# A Chinese postal code's first two digits name its province (邮政编码前两位).
_CN_POSTAL_PREFIXES: dict[str, tuple[str, ...]] = {
    "CN-BJ": ("10",),
    "CN-TJ": ("30",),
    "CN-HE": ("05", "06", "07"),
    "CN-SX": ("03", "04"),
    "CN-NM": ("01", "02"),
    "CN-LN": ("11", "12"),
    "CN-JL": ("13",),
    "CN-HL": ("15", "16"),
    "CN-SH": ("20",),
    "CN-JS": ("21", "22"),
    "CN-ZJ": ("31", "32"),
    "CN-AH": ("23", "24"),
    "CN-FJ": ("35", "36"),
    "CN-JX": ("33", "34"),
    "CN-SD": ("25", "26", "27"),
    "CN-HA": ("45", "46", "47"),
    "CN-HB": ("43", "44"),
    "CN-HN": ("41", "42"),
    "CN-GD": ("51", "52"),
    "CN-GX": ("53", "54"),
    "CN-HI": ("57",),
    "CN-CQ": ("40",),
    "CN-SC": ("61", "62", "63", "64"),
    "CN-GZ": ("55", "56"),
    "CN-YN": ("65", "66", "67"),
    "CN-XZ": ("85",),
    "CN-SN": ("71", "72"),
    "CN-GS": ("73", "74"),
    "CN-QH": ("81",),
    "CN-NX": ("75",),
    "CN-XJ": ("83", "84"),
}
_PROVINCE_BY_POSTAL_PREFIX = {
    prefix: code for code, prefixes in _CN_POSTAL_PREFIXES.items() for prefix in prefixes
}

# Countries are the kernel's one list (marketplace.countries: ISO 3166-1, Kosovo out).
country_codes = countries.country_codes
is_country = countries.is_country


def province_code(country: str, province: str) -> str:
    """The ISO 3166-2 code for ``province`` of ``country`` (``"XJ"`` or ``"cn-xj"`` ->
    ``"CN-XJ"``), or ``""`` when it is empty or not a known province."""
    value = (province or "").strip().upper()
    if not value:
        return ""
    if "-" not in value:
        value = f"{country}-{value}"
    return value if value in CN_PROVINCES and value.startswith(f"{country}-") else ""


def province_from_postal_code(country: str, postal_code: str) -> str:
    """The province a Chinese six-digit postal code belongs to, ``""`` when unknown."""
    digits = (postal_code or "").strip()
    if country != "CN" or len(digits) != 6 or not is_ascii_digits(digits):
        return ""
    return _PROVINCE_BY_POSTAL_PREFIX.get(digits[:2], "")


def is_zone_member(token: str) -> bool:
    """A zone member is a country code or a Chinese province code."""
    return is_country(token) or token in CN_PROVINCES


def place_name(token: str, language: str) -> str:
    """``CN-XJ`` -> Xinjiang / 新疆; ``FR`` -> France / 法国 (CLDR names)."""
    if token in CN_PROVINCES:
        en, chinese = CN_PROVINCES[token]
        return pick(en, chinese, language)
    return countries.country_name(token, language)
