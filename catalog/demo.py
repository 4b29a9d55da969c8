"""Demo catalog, added by ``marketplace.demo.seed_demo``: brands and 63 bilingual products of
the demo merchants, with variants carrying plausible cross-border data and a picture each
(``catalog.demo_images``: drawn here, stored like a merchant's upload).

Products go through the same services and moderation workflow as real ones (so each has its
history): nearly all are approved; one waits for review, one is rejected with a reason, one
live product has edits waiting for review and one is still a draft, so every queue and
state has something to show. Idempotent: a product is matched by merchant and slug, a brand
by slug; a demo product without a picture (seeded before the demo had pictures) gets one, and
one that has a picture gets no other. Record numbers and barcodes are illustrative, not real
registrations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from catalog.demo_images import picture_add, picture_backfill, products_pictured
from catalog.demo_stock import seed_stock_demo
from catalog.models import Brand, Category, Product, flags_for
from catalog.services import moderation, records
from catalog.services.products import SkuInput, product_create, product_update, sku_upsert
from marketplace.clearance import ClearanceMode
from marketplace.demo import Demo, DemoStep
from merchants.models import Membership, Merchant
from merchants.roles import Role

BRANDS = [
    # slug, en, zh-hans, country
    ("aptamil", "Aptamil", "爱他美", "DE"),
    ("hipp", "HiPP", "喜宝", "DE"),
    ("pampers", "Pampers", "帮宝适", "US"),
    ("estee-lauder", "Estée Lauder", "雅诗兰黛", "US"),
    ("lancome", "Lancôme", "兰蔻", "FR"),
    ("la-mer", "La Mer", "海蓝之谜", "US"),
    ("dyson", "Dyson", "戴森", "GB"),
    ("sony", "Sony", "索尼", "JP"),
    ("philips", "Philips", "飞利浦", "NL"),
    ("garmin", "Garmin", "佳明", "US"),
    ("braun", "Braun", "博朗", "DE"),
    ("coach", "Coach", "蔻驰", "US"),
    ("longchamp", "Longchamp", "珑骧", "FR"),
    ("ray-ban", "Ray-Ban", "雷朋", "IT"),
    ("torres", "Torres", "桃乐丝", "ES"),
    ("lindt", "Lindt", "瑞士莲", "CH"),
    ("illy", "illy", "意利", "IT"),
    ("centrum", "Centrum", "善存", "US"),
    ("move-free", "Move Free", "益节", "US"),
    ("comvita", "Comvita", "康维他", "NZ"),
    ("manuka-health", "Manuka Health", "蜜纽康", "NZ"),
    ("a2", "a2 Milk", "a2", "NZ"),
    ("karicare", "Karicare", "可瑞康", "NZ"),
    ("good-health", "Good Health", "好健康", "NZ"),
    ("healtheries", "Healtheries", "贺寿利", "NZ"),
    ("lanocreme", "Lanocreme", "绵羊油", "NZ"),
    ("antipodes", "Antipodes", "安媞珀", "NZ"),
    ("cloudy-bay", "Cloudy Bay", "云雾之湾", "NZ"),
    ("villa-maria", "Villa Maria", "新玛利", "NZ"),
    ("whittakers", "Whittaker's", "惠特克", "NZ"),
    ("natures-flock", "Nature's Flock", "自然羊群", "NZ"),
    ("sk-ii", "SK-II", "SK-II", "JP"),
    ("shiseido", "Shiseido", "资生堂", "JP"),
    ("kose", "KOSÉ", "高丝", "JP"),
    ("curel", "Curél", "珂润", "JP"),
    ("biore", "Bioré", "碧柔", "JP"),
    ("canmake", "CANMAKE", "井田", "JP"),
    ("merries", "Merries", "妙而舒", "JP"),
    ("pigeon", "Pigeon", "贝亲", "JP"),
    ("dhc", "DHC", "蝶翠诗", "JP"),
    ("fancl", "FANCL", "芳珂", "JP"),
    ("dassai", "Dassai", "獭祭", "JP"),
    ("calbee", "Calbee", "卡乐比", "JP"),
    ("panasonic", "Panasonic", "松下", "JP"),
    ("zojirushi", "Zojirushi", "象印", "JP"),
    ("casio", "Casio", "卡西欧", "JP"),
    ("onitsuka-tiger", "Onitsuka Tiger", "鬼塚虎", "JP"),
    ("swisse", "Swisse", "斯维诗", "AU"),
    ("blackmores", "Blackmores", "澳佳宝", "AU"),
    ("bio-island", "Bio Island", "佰澳朗德", "AU"),
    ("bellamys", "Bellamy's Organic", "贝拉米", "AU"),
    ("aesop", "Aesop", "伊索", "AU"),
    ("lucas-papaw", "Lucas' Papaw", "卢卡斯木瓜", "AU"),
    ("jurlique", "Jurlique", "茱莉蔻", "AU"),
    ("penfolds", "Penfolds", "奔富", "AU"),
    ("arnotts", "Arnott's", "雅乐思", "AU"),
    ("emu-australia", "EMU Australia", "澳洲鸸鹋", "AU"),
]

MODES = {
    "b": ClearanceMode.BONDED,
    "d": ClearanceMode.DIRECT,
    "p": ClearanceMode.PERSONAL_PARCEL,
    "g": ClearanceMode.GENERAL_TRADE,
}


@dataclass
class DemoSku:
    """One demo variant. ``modes``: b bonded, d direct, p personal parcel, g general trade;
    ``record``: True (recorded), "submitted", or False."""

    code: str
    attributes: dict  # in Chinese; English from ATTRIBUTE_NAMES_EN / ATTRIBUTE_VALUES_EN
    price: str
    hs: str
    origin: str
    net: str
    gross: str
    modes: str = "d"
    postal: str = "20"
    excise: str = ""
    record: bool | str = False
    tiers: tuple = ()
    unit: str = "011"
    size: tuple = (0, 0, 0)


@dataclass
class DemoProduct:
    merchant: str
    category: str
    brand: str
    en: str
    zh: str
    about_en: str
    about_zh: str
    skus: list[DemoSku] = field(default_factory=list)
    state: str = "approved"  # approved | pending | rejected | edits | draft
    moq: int = 1


# Prices are in each merchant's listing currency: Silkway Global CNY, Kiwi Nature USD,
# Tokyo Beauty JPY, the Sydney purchasing agent AUD.
CURRENCY = {
    "silkway-global": "CNY",
    "kiwi-nature": "USD",
    "tokyo-beauty": "JPY",
    "sydney-daigou": "AUD",
}

# fmt: off
PRODUCTS: list[DemoProduct] = [
    # --- Silkway Global Store (self-operated) ------------------------------------------
    DemoProduct("silkway-global", "mother-baby", "aptamil",
      "Aptamil Profutura Infant Formula 800g", "爱他美卓萃婴儿配方奶粉 800克",
      "Our closest formula to breast milk, with patented GOS/FOS and DHA. Made in Germany.",
      "德国原装进口，含专利益生元组合及二十二碳六烯酸，营养更接近母乳。",
      [DemoSku("SG-APT-1", {"段位": "1段 0-6月"}, "358.00", "1901101000", "DE", "0.800", "1.050",
         "bd", "13", record=True, tiers=((6, "339.00"), (12, "329.00")), unit="122"),
       DemoSku("SG-APT-2", {"段位": "2段 6-12月"}, "348.00", "1901101000", "DE", "0.800", "1.050",
         "bd", "13", record=True, tiers=((6, "329.00"),), unit="122"),
       DemoSku("SG-APT-3", {"段位": "3段 1-3岁"}, "328.00", "1901101000", "DE", "0.800", "1.050",
         "bd", "13", record=True, unit="122")]),
    DemoProduct("silkway-global", "mother-baby", "hipp",
      "HiPP Organic Combiotic Follow-on Formula Stage 2 600g", "喜宝有机益生菌较大婴儿配方奶粉2段 600克",
      "Organic milk from EU-certified farms with natural lactic cultures.",
      "欧盟有机认证牧场奶源，添加天然乳酸菌。",
      [DemoSku("SG-HIPP-2", {"段位": "2段"}, "229.00", "1901101000", "DE", "0.600", "0.780", "bd",
         "13", record=True, unit="122")]),
    DemoProduct("silkway-global", "mother-baby", "pampers",
      "Pampers Premium Care Diapers", "帮宝适一级帮纸尿裤",
      "Made in Japan: soft as silk, with a breathable layer for dry nights.",
      "日本制造，丝般柔软，透气干爽一整夜。",
      [DemoSku("SG-PAM-S", {"尺码": "S 82片"}, "139.00", "9619001100", "JP", "1.600", "1.900", "bd",
         record=True),
       DemoSku("SG-PAM-M", {"尺码": "M 64片"}, "139.00", "9619001100", "JP", "1.700", "2.000", "bd",
         record=True),
       DemoSku("SG-PAM-L", {"尺码": "L 52片"}, "139.00", "9619001100", "JP", "1.750", "2.050", "bd",
         record=True)]),
    DemoProduct("silkway-global", "beauty", "estee-lauder",
      "Estée Lauder Advanced Night Repair Serum", "雅诗兰黛特润修护肌活精华露（小棕瓶）",
      "The night serum that repairs, hydrates and strengthens the skin barrier.",
      "经典小棕瓶，夜间修护，强韧肌肤屏障，补水保湿。",
      [DemoSku("SG-EL-ANR50", {"容量": "50毫升"}, "760.00", "3304990099", "US", "0.050", "0.210", "bd",
         "50", "high_end_cosmetic", record=True),
       DemoSku("SG-EL-ANR100", {"容量": "100毫升"}, "1260.00", "3304990099", "US", "0.100", "0.330",
         "bd", "50", "high_end_cosmetic", record=True)]),
    DemoProduct("silkway-global", "beauty", "lancome",
      "Lancôme Advanced Génifique Serum", "兰蔻精华肌底液（小黑瓶）",
      "A serum with seven pre- and probiotic fractions for visibly stronger skin.",
      "含七种益生元与益生菌成分，改善肌肤状态。",
      [DemoSku("SG-LC-GEN30", {"容量": "30毫升"}, "650.00", "3304990099", "FR", "0.030", "0.160", "bd",
         "50", "high_end_cosmetic", record=True),
       DemoSku("SG-LC-GEN50", {"容量": "50毫升"}, "960.00", "3304990099", "FR", "0.050", "0.230", "bd",
         "50", "high_end_cosmetic", record=True)]),
    DemoProduct("silkway-global", "beauty", "la-mer",
      "La Mer Crème de la Mer Moisturising Cream", "海蓝之谜精华面霜",
      "The legendary cream with Miracle Broth™ for deep moisture and renewal.",
      "传奇面霜，蕴含神奇活性精萃，深层滋润焕活。",
      [DemoSku("SG-LM-30", {"容量": "30毫升"}, "1450.00", "3304990099", "US", "0.030", "0.200", "bd",
         "50", "high_end_cosmetic", record=True),
       DemoSku("SG-LM-60", {"容量": "60毫升"}, "2650.00", "3304990099", "US", "0.060", "0.330", "bd",
         "50", "high_end_cosmetic", record=True)]),
    DemoProduct("silkway-global", "electronics", "dyson",
      "Dyson Supersonic Hair Dryer HD15", "戴森智能温控吹风机",
      "Fast drying with intelligent heat control to protect natural shine. 220V CN plug.",
      "快速干发，智能温控防止过度受热，保护秀发光泽。国行220V电压。",
      [DemoSku("SG-DY-HD15-F", {"颜色": "紫红镍色"}, "2999.00", "8516310000", "MY", "0.660", "1.900",
         "dg", size=(32, 17, 13)),
       DemoSku("SG-DY-HD15-B", {"颜色": "藏青铜色"}, "2999.00", "8516310000", "MY", "0.660", "1.900",
         "dg", size=(32, 17, 13))]),
    DemoProduct("silkway-global", "electronics", "sony",
      "Sony WH-1000XM5 Wireless Noise Cancelling Headphones", "索尼旗舰头戴式无线降噪耳机（第五代）",
      "Industry-leading noise cancelling, 30-hour battery and crystal-clear calls.",
      "业界领先降噪，30小时续航，通话清晰。",
      [DemoSku("SG-SONY-XM5-B", {"颜色": "黑色"}, "2499.00", "8518300000", "MY", "0.250", "0.760",
         "dg"),
       DemoSku("SG-SONY-XM5-S", {"颜色": "铂金银"}, "2499.00", "8518300000", "MY", "0.250", "0.760",
         "dg")]),
    DemoProduct("silkway-global", "electronics", "sony",
      "Sony Alpha 7 IV Full-frame Mirrorless Camera (Body)", "索尼 A7M4 全画幅微单相机（单机身）",
      "33MP full-frame sensor, 4K 60p video and real-time eye autofocus.",
      "3300万像素全画幅，4K 60p视频，实时眼部对焦。",
      [DemoSku("SG-SONY-A7M4", {"版本": "单机身"}, "15999.00", "8525899000", "TH", "0.658", "1.500",
         "dg", "13")]),
    DemoProduct("silkway-global", "electronics", "philips",
      "Philips Sonicare 9900 Prestige Electric Toothbrush", "飞利浦 9900 声波电动牙刷",
      "SenseIQ adapts to how you brush; up to 20x more plaque removed.",
      "智能压力感应，根据刷牙习惯自动调节，深层清洁牙菌斑。",
      [DemoSku("SG-PH-9900", {"颜色": "香槟金"}, "2299.00", "8509800000", "US", "0.420", "1.100",
         "d")]),
    DemoProduct("silkway-global", "electronics", "garmin",
      "Garmin Forerunner 265 GPS Running Watch", "佳明 265 跑步智能手表（卫星定位）",
      "AMOLED display, training readiness and up to 13 days of battery life.",
      "高清彩色触摸屏，训练准备度评估，续航长达13天。",
      [DemoSku("SG-GAR-265-B", {"颜色": "黑色"}, "2980.00", "8517620000", "TW", "0.047", "0.350",
         "d", "13"),
       DemoSku("SG-GAR-265-W", {"颜色": "白色"}, "2980.00", "8517620000", "TW", "0.047", "0.350",
         "d", "13")]),
    DemoProduct("silkway-global", "electronics", "braun",
      "Braun Series 9 Pro+ Electric Shaver", "博朗9系旗舰电动剃须刀",
      "Five synchronised elements for the closest shave, with a 6-in-1 cleaning centre.",
      "五大剃须元件同步运作，剃得更净，配六合一清洁中心。",
      [DemoSku("SG-BR-S9P", {"型号": "9577"}, "3599.00", "8510100000", "DE", "0.600", "1.800",
         "d")]),
    DemoProduct("silkway-global", "fashion", "coach",
      "Coach Tabby Shoulder Bag 26", "蔻驰经典皮革单肩包 26",
      "Polished pebble leather with the signature C hardware and a detachable strap.",
      "光泽鹅卵石纹皮革，标志性C字五金，肩带可拆卸。",
      [DemoSku("SG-COACH-T26-BK", {"颜色": "黑色"}, "3150.00", "4202210000", "VN", "0.700", "1.200",
         "d"),
       DemoSku("SG-COACH-T26-CH", {"颜色": "粉笔白"}, "3150.00", "4202210000", "VN", "0.700", "1.200",
         "d")]),
    DemoProduct("silkway-global", "fashion", "longchamp",
      "Longchamp Le Pliage Original Tote", "珑骧经典折叠托特包（饺子包）",
      "The foldable nylon tote with leather trims, made in France since 1993.",
      "1993年诞生的经典折叠尼龙托特包，皮革饰边，法国制造。",
      [DemoSku("SG-LONG-M", {"尺寸": "中号", "颜色": "海军蓝"}, "990.00", "4202220000", "FR",
         "0.200", "0.450", "d"),
       DemoSku("SG-LONG-L", {"尺寸": "大号", "颜色": "海军蓝"}, "1150.00", "4202220000", "FR",
         "0.230", "0.500", "d")]),
    DemoProduct("silkway-global", "fashion", "ray-ban",
      "Ray-Ban Aviator Classic Sunglasses RB3025", "雷朋经典飞行员太阳镜 3025",
      "The original pilot shape with crystal green lenses and a gold metal frame.",
      "经典飞行员造型，经典绿色镜片，金色金属镜框。",
      [DemoSku("SG-RB-3025-58", {"尺寸": "58毫米"}, "1280.00", "9004100000", "IT", "0.030", "0.200",
         "d")], state="draft"),
    DemoProduct("silkway-global", "food-wine", "torres",
      "Torres Sangre de Toro Red Wine 750ml", "桃乐丝公牛血红葡萄酒 750毫升",
      "A Catalan classic of Garnacha and Cariñena: ripe red fruit and a hint of spice.",
      "西班牙加泰罗尼亚经典，歌海娜与佳丽酿混酿，成熟红果香气带一丝香料味。",
      [DemoSku("SG-TOR-SDT", {"年份": "2021"}, "128.00", "2204210000", "ES", "1.200", "1.400", "dg",
         "50", "alcohol", tiers=((6, "118.00"), (24, "105.00")), unit="142")], moq=1),
    DemoProduct("silkway-global", "food-wine", "lindt",
      "Lindt Excellence 70% Cocoa Dark Chocolate 100g", "瑞士莲特醇70%可可黑巧克力 100克",
      "Intense, balanced dark chocolate with a smooth finish.",
      "浓郁平衡的黑巧克力，口感顺滑。",
      [DemoSku("SG-LINDT-70", {"规格": "100克"}, "29.90", "1806320000", "DE", "0.100", "0.120", "bd",
         "13", record=True, tiers=((20, "26.90"), (100, "23.90")))]),
    DemoProduct("silkway-global", "food-wine", "illy",
      "illy Classico Ground Coffee 250g", "意利经典中度烘焙咖啡粉 250克",
      "Nine Arabica origins, medium roast, pressurised tin for freshness.",
      "九种阿拉比卡咖啡豆拼配，中度烘焙，充氮罐装保鲜。",
      [DemoSku("SG-ILLY-250", {"规格": "250克 罐装"}, "98.00", "0901210000", "IT", "0.250", "0.400",
         "bd", "13", record=True, unit="122")]),
    DemoProduct("silkway-global", "health", "centrum",
      "Centrum Adults Multivitamin 200 Tablets", "善存成人复合维生素 200片",
      "24 vitamins and minerals for daily energy, immunity and metabolism.",
      "含24种维生素和矿物质，支持日常活力、免疫与代谢。",
      [DemoSku("SG-CEN-200", {"规格": "200片"}, "189.00", "2106909090", "US", "0.300", "0.420", "bd",
         "13", record=True)]),
    DemoProduct("silkway-global", "health", "move-free",
      "Move Free Advanced Glucosamine Chondroitin 120 Tablets", "益节氨糖软骨素 120片",
      "Joint support with glucosamine, chondroitin and hyaluronic acid.",
      "含氨糖、软骨素与透明质酸，呵护关节健康。",
      [DemoSku("SG-MF-120", {"规格": "120片"}, "219.00", "2106909090", "US", "0.260", "0.380", "bd",
         "13", record=True)]),
    # --- Kiwi Nature Co. (New Zealand) -------------------------------------------------
    DemoProduct("kiwi-nature", "food-wine", "comvita",
      "Comvita Manuka Honey UMF 10+", "康维他麦卢卡蜂蜜 10+ 等级",
      "Certified UMF 10+ Manuka honey from New Zealand's native forests.",
      "新西兰原始森林麦卢卡蜂蜜，独特麦卢卡因子等级 10+ 认证。",
      [DemoSku("KN-CV-UMF10-250", {"规格": "250克"}, "39.90", "0409000000", "NZ", "0.250", "0.330",
         "bd", "13", record=True, unit="122"),
       DemoSku("KN-CV-UMF10-500", {"规格": "500克"}, "69.90", "0409000000", "NZ", "0.500", "0.620",
         "bd", "13", record=True, unit="122", tiers=((12, "64.90"),))]),
    DemoProduct("kiwi-nature", "food-wine", "comvita",
      "Comvita Manuka Honey UMF 15+ 250g", "康维他麦卢卡蜂蜜 15+ 等级 250克",
      "Higher-grade UMF 15+ Manuka honey, rich and creamy.",
      "独特麦卢卡因子等级 15+ 的麦卢卡蜂蜜，口感醇厚绵密。",
      [DemoSku("KN-CV-UMF15-250", {"规格": "250克"}, "64.90", "0409000000", "NZ", "0.250", "0.330",
         "bd", "13", record=True, unit="122")], state="edits"),
    DemoProduct("kiwi-nature", "food-wine", "manuka-health",
      "Manuka Health MGO 400+ Manuka Honey 250g", "蜜纽康麦卢卡蜂蜜 活性400+ 250克",
      "Tested for 400+ mg/kg methylglyoxal, packed in New Zealand.",
      "经检测每千克甲基乙二醛含量达 400 毫克以上，新西兰灌装。",
      [DemoSku("KN-MH-400", {"规格": "250克"}, "49.90", "0409000000", "NZ", "0.250", "0.330", "d",
         "13", record="submitted", unit="122")]),
    DemoProduct("kiwi-nature", "mother-baby", "a2",
      "a2 Platinum Toddler Formula Stage 3 900g", "a2 白金版幼儿配方奶粉3段 900克",
      "Made with a2 milk that naturally contains only the A2 beta-casein protein.",
      "采用天然仅含A2型β-酪蛋白的a2牛奶制成。",
      [DemoSku("KN-A2-P3", {"段位": "3段 1-3岁"}, "42.90", "1901101000", "NZ", "0.900", "1.150",
         "bd", "13", record=True, unit="122", tiers=((6, "40.90"), (24, "38.90")))]),
    DemoProduct("kiwi-nature", "food-wine", "a2",
      "a2 Full Cream Milk Powder 1kg", "a2 全脂成人奶粉 1千克",
      "Creamy full-cream powder from New Zealand's pasture-fed cows.",
      "新西兰草饲奶牛奶源，全脂奶粉口感香浓。",
      [DemoSku("KN-A2-FC1K", {"规格": "1千克"}, "29.90", "0402210000", "NZ", "1.000", "1.120", "d",
         "13", unit="136")]),
    DemoProduct("kiwi-nature", "mother-baby", "karicare",
      "Karicare Gold+ Infant Formula Stage 1 900g", "可瑞康金装婴儿配方奶粉1段 900克",
      "Infant formula with GOS/FOS and lutein, made in New Zealand.",
      "含低聚半乳糖、低聚果糖与叶黄素，新西兰生产。",
      [DemoSku("KN-KC-G1", {"段位": "1段 0-6月"}, "39.90", "1901101000", "NZ", "0.900", "1.150", "bd",
         "13", record=True, unit="122")]),
    DemoProduct("kiwi-nature", "health", "comvita",
      "Comvita Propolis Oral Spray 20ml", "康维他蜂胶口腔喷雾 20毫升",
      "Alcohol-free propolis spray for a soothing throat.",
      "无酒精配方蜂胶喷雾，舒缓咽喉。",
      [DemoSku("KN-CV-PROP", {"规格": "20毫升"}, "19.90", "2106909090", "NZ", "0.020", "0.080", "dp",
         "13")]),
    DemoProduct("kiwi-nature", "health", "healtheries",
      "Healtheries Vitamin C 1000mg Chewable 100 Tablets", "贺寿利维生素C 1000毫克咀嚼片 100片",
      "Orange-flavoured chewable vitamin C for immune support.",
      "橙子味维生素C咀嚼片，增强免疫力。",
      [DemoSku("KN-HT-VC100", {"规格": "100片"}, "14.90", "2106909090", "NZ", "0.200", "0.260", "dp",
         "13")]),
    DemoProduct("kiwi-nature", "health", "good-health",
      "Good Health Fish Oil 1500mg 400 Capsules", "好健康深海鱼油胶囊 1500毫克 400粒",
      "Omega-3 from sustainably caught fish, molecularly distilled.",
      "可持续捕捞深海鱼油，分子蒸馏提纯，富含欧米伽-3脂肪酸。",
      [DemoSku("KN-GH-FO400", {"规格": "400粒"}, "34.90", "2106909090", "NZ", "0.700", "0.850", "bd",
         "13", record=True)]),
    DemoProduct("kiwi-nature", "beauty", "lanocreme",
      "Lanocreme Lanolin Cream with Vitamin E 100g", "绵羊油维生素E面霜 100克",
      "Rich lanolin cream for dry skin, made in New Zealand.",
      "新西兰出品绵羊油面霜，深层滋润干燥肌肤。",
      [DemoSku("KN-LANO-100", {"规格": "100克"}, "9.90", "3304990099", "NZ", "0.100", "0.150", "dp")]),
    DemoProduct("kiwi-nature", "beauty", "antipodes",
      "Antipodes Avocado Pear Nourishing Night Cream 60ml", "安媞珀牛油果滋养晚霜 60毫升",
      "Organic avocado oil and vinanza grape for overnight nourishment.",
      "有机牛油果油与葡萄萃取，夜间深层滋养。",
      [DemoSku("KN-ANT-AVO", {"容量": "60毫升"}, "44.90", "3304990099", "NZ", "0.060", "0.160", "d")]),
    DemoProduct("kiwi-nature", "food-wine", "cloudy-bay",
      "Cloudy Bay Sauvignon Blanc 750ml", "云雾之湾长相思白葡萄酒 750毫升",
      "Marlborough's benchmark Sauvignon Blanc: citrus, stone fruit and a crisp finish.",
      "马尔堡长相思标杆之作，柑橘与核果香气，收尾清爽。",
      [DemoSku("KN-CB-SB24", {"年份": "2024"}, "32.90", "2204210000", "NZ", "1.200", "1.400", "dg",
         "50", "alcohol", tiers=((6, "30.90"), (12, "28.90")), unit="142")]),
    DemoProduct("kiwi-nature", "food-wine", "villa-maria",
      "Villa Maria Private Bin Pinot Noir 750ml", "新玛利珍藏系列黑皮诺红葡萄酒 750毫升",
      "Bright cherry and plum with soft, silky tannins.",
      "明亮的樱桃与李子香气，单宁柔顺丝滑。",
      [DemoSku("KN-VM-PN", {"年份": "2022"}, "21.90", "2204210000", "NZ", "1.200", "1.400", "dg",
         "50", "alcohol", tiers=((12, "19.90"),), unit="142")]),
    DemoProduct("kiwi-nature", "food-wine", "whittakers",
      "Whittaker's Creamy Milk Chocolate 250g", "惠特克奶香牛奶巧克力 250克",
      "New Zealand's favourite milk chocolate block, made from bean to bar in Porirua.",
      "新西兰人最爱的牛奶巧克力，在波里鲁阿从可可豆到成品全程自制。",
      [DemoSku("KN-WH-CM250", {"规格": "250克"}, "6.90", "1806320000", "NZ", "0.250", "0.270", "d",
         "13", tiers=((24, "6.20"),))]),
    DemoProduct("kiwi-nature", "fashion", "natures-flock",
      "Nature's Flock Sheepskin Slippers", "自然羊群纯羊皮毛一体拖鞋",
      "Genuine New Zealand sheepskin, warm in winter and breathable in summer.",
      "新西兰真羊皮毛一体，冬暖夏爽。",
      [DemoSku("KN-NF-SL-37", {"尺码": "37"}, "59.90", "6405100000", "NZ", "0.500", "0.800", "dp",
         unit="025"),
       DemoSku("KN-NF-SL-39", {"尺码": "39"}, "59.90", "6405100000", "NZ", "0.520", "0.820", "dp",
         unit="025"),
       DemoSku("KN-NF-SL-41", {"尺码": "41"}, "59.90", "6405100000", "NZ", "0.550", "0.850", "dp",
         unit="025")]),
    # --- Tokyo Beauty House (Japan) ----------------------------------------------------
    DemoProduct("tokyo-beauty", "beauty", "sk-ii",
      "SK-II Facial Treatment Essence", "护肤精华露（神仙水）",
      "Over 90% PITERA™ for crystal-clear, resilient skin.",
      "含超过90%的专利酵母精华，令肌肤晶莹剔透、弹润有光泽。",
      [DemoSku("TB-SK2-FTE160", {"容量": "160毫升"}, "19800", "3304990099", "JP", "0.160", "0.420",
         "bd", "50", "high_end_cosmetic", record=True),
       DemoSku("TB-SK2-FTE230", {"容量": "230毫升"}, "25300", "3304990099", "JP", "0.230", "0.560",
         "bd", "50", "high_end_cosmetic", record=True)]),
    DemoProduct("tokyo-beauty", "beauty", "shiseido",
      "Shiseido Ultimune Power Infusing Concentrate", "资生堂红妍肌活精华露（红腰子）",
      "Strengthens skin's defences with ImuGeneration Technology™.",
      "独家免疫新生科技，强韧肌肤防御力。",
      [DemoSku("TB-SHI-ULT50", {"容量": "50毫升"}, "11000", "3304990099", "JP", "0.050", "0.190", "bd",
         "50", "high_end_cosmetic", record=True),
       DemoSku("TB-SHI-ULT75", {"容量": "75毫升"}, "15400", "3304990099", "JP", "0.075", "0.250", "bd",
         "50", "high_end_cosmetic", record=True)]),
    DemoProduct("tokyo-beauty", "beauty", "kose",
      "KOSÉ Sekkisei Lotion", "高丝雪肌精化妆水",
      "The herbal brightening lotion loved in Japan since 1985.",
      "1985年上市的经典草本化妆水，提亮肤色。",
      [DemoSku("TB-KOSE-SK200", {"容量": "200毫升"}, "5500", "3304990099", "JP", "0.200", "0.320", "dp"),
       DemoSku("TB-KOSE-SK360", {"容量": "360毫升"}, "8250", "3304990099", "JP", "0.360", "0.520",
         "dp")]),
    DemoProduct("tokyo-beauty", "beauty", "curel",
      "Curél Intensive Moisture Cream 40g", "珂润润浸保湿滋养乳霜 40克",
      "Ceramide care for dry, sensitive skin; fragrance-free.",
      "神经酰胺护理，适合干燥敏感肌，无香料。",
      [DemoSku("TB-CUREL-40", {"规格": "40克"}, "2530", "3304990099", "JP", "0.040", "0.110", "dp")]),
    DemoProduct("tokyo-beauty", "beauty", "biore",
      "Bioré UV Aqua Rich Watery Essence SPF50+ PA++++", "碧柔水活防晒保湿精华（高倍防晒）",
      "Light, water-based sunscreen that applies like a lotion.",
      "水感轻薄防晒，如乳液般易推开。",
      [DemoSku("TB-BIO-UV50", {"规格": "50克"}, "990", "3304990099", "JP", "0.050", "0.080", "dp"),
       DemoSku("TB-BIO-UV70", {"规格": "70克"}, "1320", "3304990099", "JP", "0.070", "0.100", "dp")]),
    DemoProduct("tokyo-beauty", "beauty", "canmake",
      "CANMAKE Perfect Stylist Eyes Eyeshadow", "井田完美塑型五色眼影",
      "Five shades that layer into a natural, deep-set look.",
      "五色搭配，轻松打造自然深邃眼妆。",
      [DemoSku("TB-CM-PSE14", {"色号": "14"}, "858", "3304200090", "JP", "0.003", "0.030", "dp"),
       DemoSku("TB-CM-PSE23", {"色号": "23"}, "858", "3304200090", "JP", "0.003", "0.030", "dp")]),
    DemoProduct("tokyo-beauty", "beauty", "canmake",
      "CANMAKE Marshmallow Finish Powder", "井田棉花糖蜜粉饼",
      "A soft-focus pressed powder with a marshmallow-smooth finish.",
      "柔焦蜜粉饼，妆效如棉花糖般柔滑。",
      [DemoSku("TB-CM-MFP-MO", {"色号": "01 自然色"}, "1034", "3304910000", "JP", "0.010", "0.040", "dp"),
       DemoSku("TB-CM-MFP-MB", {"色号": "02 亮肤色"}, "1034", "3304910000", "JP", "0.010", "0.040", "dp")],
      state="pending"),
    DemoProduct("tokyo-beauty", "mother-baby", "merries",
      "Merries Tape Diapers", "花王妙而舒腰贴型纸尿裤",
      "Air-through softness with a breathable outer layer. Made in Japan.",
      "透气柔软，外层透气不闷热。日本制造。",
      [DemoSku("TB-MER-S", {"尺码": "S 82片"}, "1980", "9619001100", "JP", "1.600", "1.900", "bd",
         record=True),
       DemoSku("TB-MER-M", {"尺码": "M 64片"}, "1980", "9619001100", "JP", "1.700", "2.000", "bd",
         record=True),
       DemoSku("TB-MER-L", {"尺码": "L 54片"}, "1980", "9619001100", "JP", "1.750", "2.050", "bd",
         record=True)]),
    DemoProduct("tokyo-beauty", "mother-baby", "pigeon",
      "Pigeon Wide-neck Glass Feeding Bottle", "贝亲宽口径玻璃奶瓶",
      "Heat-resistant glass with the SofTouch peristaltic teat.",
      "耐热玻璃材质，搭配仿母乳实感奶嘴。",
      [DemoSku("TB-PIG-160", {"容量": "160毫升"}, "1980", "7013490000", "JP", "0.200", "0.300", "dp"),
       DemoSku("TB-PIG-240", {"容量": "240毫升"}, "2200", "7013490000", "JP", "0.260", "0.360", "dp")]),
    DemoProduct("tokyo-beauty", "health", "dhc",
      "DHC Vitamin C 60-day Supply", "蝶翠诗维生素C 60日量",
      "120 hard capsules with vitamin B2 for everyday radiance.",
      "120粒硬胶囊，添加维生素B2，日常焕采。",
      [DemoSku("TB-DHC-VC60", {"规格": "60日量 120粒"}, "432", "2106909090", "JP", "0.060", "0.080",
         "dp", "13")]),
    DemoProduct("tokyo-beauty", "health", "fancl",
      "FANCL HTC Collagen Tablets 30-day", "芳珂胶原蛋白片 30日量",
      "Collagen tripeptide tablets for supple, hydrated skin.",
      "胶原三肽片，令肌肤水润有弹性。",
      [DemoSku("TB-FAN-HTC30", {"规格": "30日量 180粒"}, "3240", "2106909090", "JP", "0.090",
         "0.130", "dp", "13")]),
    DemoProduct("tokyo-beauty", "food-wine", "dassai",
      "Dassai 23 Junmai Daiginjo Sake 720ml", "獭祭二割三分纯米大吟酿 720毫升",
      "Yamada Nishiki rice polished to 23%: delicate, fruity and clean.",
      "山田锦大米精磨至23%，细腻果香，清冽干净。",
      [DemoSku("TB-DAS-23", {"容量": "720毫升"}, "11000", "2206009000", "JP", "1.300", "1.600", "dg",
         "50", "alcohol", tiers=((6, "10200"),), unit="142")]),
    DemoProduct("tokyo-beauty", "food-wine", "calbee",
      "Calbee Frugra Fruit Granola 700g", "卡乐比富果乐水果麦片 700克",
      "Japan's best-selling granola with papaya, apple and strawberry.",
      "日本畅销水果麦片，含木瓜、苹果和草莓干。",
      [DemoSku("TB-CAL-FRU700", {"规格": "700克"}, "1080", "1904200000", "JP", "0.700", "0.760", "dp",
         "13", unit="136", tiers=((12, "980"),))]),
    DemoProduct("tokyo-beauty", "electronics", "panasonic",
      "Panasonic nanoe Hair Dryer EH-NA0J", "松下纳米水离子吹风机（海外版）",
      "nanoe™ moisture ions for glossy hair; overseas voltage model.",
      "纳米水离子护发，秀发润泽有光泽；海外电压版本。",
      [DemoSku("TB-PAN-NA0J", {"颜色": "深蓝"}, "36800", "8516310000", "JP", "0.575", "1.400", "dg")]),
    DemoProduct("tokyo-beauty", "electronics", "zojirushi",
      "Zojirushi Pressure IH Rice Cooker NW-JEC10", "象印压力电磁加热电饭煲（220伏出口版）",
      "Pressure induction heating for fluffy rice; 220V export model, 5.5 cups.",
      "压力电磁加热，米饭松软香甜；220伏出口版，5.5合。",
      [DemoSku("TB-ZOJ-JEC10", {"容量": "1.0升"}, "39800", "8516600000", "JP", "6.500", "8.200",
         "dg", size=(43, 31, 28))]),
    DemoProduct("tokyo-beauty", "fashion", "casio",
      "Casio G-SHOCK GA-2100 Watch", "卡西欧八角形碳纤维运动手表 2100",
      "The octagonal 'CasiOak' with carbon core guard structure, 200m water resistant.",
      "八角形表壳“农家橡树”，碳纤维核心防护结构，200米防水。",
      [DemoSku("TB-GS-2100-1A", {"颜色": "黑色"}, "15400", "9102190000", "TH", "0.051", "0.200", "d"),
       DemoSku("TB-GS-2100-7A", {"颜色": "白色"}, "15400", "9102190000", "TH", "0.051", "0.200",
         "d")]),
    DemoProduct("tokyo-beauty", "fashion", "onitsuka-tiger",
      "Onitsuka Tiger Mexico 66 Sneakers", "鬼塚虎墨西哥66复古运动鞋",
      "The 1966 icon with the Tiger stripes, in soft leather.",
      "1966年经典鞋款，虎爪纹设计，柔软皮革鞋面。",
      [DemoSku("TB-OT-M66-38", {"尺码": "38"}, "13200", "6403990090", "VN", "0.600", "1.000", "d",
         unit="025"),
       DemoSku("TB-OT-M66-40", {"尺码": "40"}, "13200", "6403990090", "VN", "0.640", "1.050", "d",
         unit="025"),
       DemoSku("TB-OT-M66-42", {"尺码": "42"}, "13200", "6403990090", "VN", "0.680", "1.100", "d",
         unit="025")]),
    # --- Sydney purchasing agent ------------------------------------------------------
    DemoProduct("sydney-daigou", "health", "swisse",
      "Swisse Ultiboost Liver Detox 120 Tablets", "斯维诗奶蓟草护肝片 120片",
      "Milk thistle, artichoke and dandelion to support liver health.",
      "奶蓟草、朝鲜蓟与蒲公英配方，呵护肝脏健康。",
      [DemoSku("SD-SW-LD120", {"规格": "120片"}, "39.99", "2106909090", "AU", "0.200", "0.280", "pd",
         "13")]),
    DemoProduct("sydney-daigou", "health", "swisse",
      "Swisse Women's Ultivite Multivitamin 120 Tablets", "斯维诗女士复合维生素 120片",
      "Over 40 vitamins, minerals and herbs for women's energy.",
      "含40余种维生素、矿物质及草本成分，为女性补充活力。",
      [DemoSku("SD-SW-WM120", {"规格": "120片"}, "44.99", "2106909090", "AU", "0.220", "0.300", "pd",
         "13")]),
    DemoProduct("sydney-daigou", "health", "blackmores",
      "Blackmores Odourless Fish Oil 1000mg 400 Capsules", "澳佳宝无腥味深海鱼油 1000毫克 400粒",
      "Odourless omega-3 capsules for heart, brain and eye health.",
      "无腥味欧米伽-3软胶囊，呵护心脑与眼睛健康。",
      [DemoSku("SD-BM-FO400", {"规格": "400粒"}, "36.99", "2106909090", "AU", "0.600", "0.750", "pd",
         "13")]),
    DemoProduct("sydney-daigou", "mother-baby", "bio-island",
      "Bio Island Kids Milk Calcium 90 Soft Capsules", "佰澳朗德婴幼儿乳钙软胶囊 90粒",
      "Milk calcium soft capsules that little ones can chew.",
      "宝宝可咀嚼的乳钙软胶囊。",
      [DemoSku("SD-BI-CAL90", {"规格": "90粒"}, "29.99", "2106909090", "AU", "0.120", "0.180", "pd",
         "13")]),
    DemoProduct("sydney-daigou", "mother-baby", "bellamys",
      "Bellamy's Organic Infant Formula Step 1 800g", "贝拉米有机婴儿配方奶粉1段 800克",
      "Certified organic formula from Australian dairy farms.",
      "澳洲有机认证牧场奶源婴儿配方奶粉。",
      [DemoSku("SD-BEL-S1", {"段位": "1段 0-6月"}, "32.99", "1901101000", "AU", "0.800", "1.050",
         "pd", "13", unit="122")]),
    DemoProduct("sydney-daigou", "beauty", "aesop",
      "Aesop Resurrection Aromatique Hand Balm 75ml", "伊索赋活芳香护手霜 75毫升",
      "Mandarin rind, rosemary leaf and cedar atlas in a fast-absorbing balm.",
      "柑橘皮、迷迭香与雪松精华，吸收迅速不黏腻。",
      [DemoSku("SD-AES-HB75", {"容量": "75毫升"}, "45.00", "3304990099", "AU", "0.075", "0.120", "pd")]),
    DemoProduct("sydney-daigou", "beauty", "lucas-papaw",
      "Lucas' Papaw Ointment", "卢卡斯木瓜膏",
      "The Australian first-aid classic for lips, minor burns and dry skin since 1906.",
      "1906年以来的澳洲家庭常备经典，可用于润唇、轻微烫伤和干燥肌肤。",
      [DemoSku("SD-LP-25", {"规格": "25克"}, "6.99", "3304990099", "AU", "0.025", "0.040", "pd"),
       DemoSku("SD-LP-75", {"规格": "75克"}, "12.99", "3304990099", "AU", "0.075", "0.100", "pd")],
      state="rejected"),
    DemoProduct("sydney-daigou", "beauty", "jurlique",
      "Jurlique Rose Hand Cream 125ml", "茱莉蔻玫瑰护手霜 125毫升",
      "Biodynamically grown rose in a rich, fast-absorbing hand cream.",
      "生物动力法种植的玫瑰，滋润且吸收迅速。",
      [DemoSku("SD-JUR-RH125", {"容量": "125毫升"}, "59.00", "3304990099", "AU", "0.125", "0.180",
         "pd")]),
    DemoProduct("sydney-daigou", "food-wine", "penfolds",
      "Penfolds Bin 389 Cabernet Shiraz 750ml", "奔富389赤霞珠设拉子红葡萄酒 750毫升",
      "'Baby Grange': blackcurrant, dark chocolate and firm, ripe tannins.",
      "“小葛兰许”，黑醋栗与黑巧克力风味，单宁成熟紧实。",
      [DemoSku("SD-PEN-389", {"年份": "2021"}, "110.00", "2204210000", "AU", "1.250", "1.500", "pg",
         "50", "alcohol", tiers=((6, "104.00"),), unit="142")]),
    DemoProduct("sydney-daigou", "food-wine", "arnotts",
      "Arnott's Tim Tam Original 200g", "雅乐思天甜原味巧克力夹心饼干 200克",
      "Two chocolate biscuits, a light cream filling and a chocolate coating.",
      "两层巧克力饼干夹着轻盈奶油，外裹巧克力。",
      [DemoSku("SD-TT-ORIG", {"规格": "200克"}, "4.50", "1905310000", "AU", "0.200", "0.230", "pd",
         "13", tiers=((24, "4.00"),))]),
    DemoProduct("sydney-daigou", "fashion", "emu-australia",
      "EMU Australia Platinum Stinger Lo Sheepskin Boots", "澳洲鸸鹋铂金系列羊皮短靴",
      "Australian Merino sheepskin boots, handmade in the Platinum line.",
      "澳洲美利奴羊皮短靴，铂金系列手工制作。",
      [DemoSku("SD-EMU-SL-6", {"尺码": "6"}, "199.00", "6403990090", "AU", "0.800", "1.300", "pd",
         unit="025"),
       DemoSku("SD-EMU-SL-7", {"尺码": "7"}, "199.00", "6403990090", "AU", "0.850", "1.350", "pd",
         unit="025")]),
]

# fmt: on

# The demo's attributes are written in Chinese above; these give their English: every name,
# and every value that is not the same in both languages (sizes, years, shade numbers are).
ATTRIBUTE_NAMES_EN = {
    "段位": "Stage",
    "尺码": "Size",
    "尺寸": "Size",
    "容量": "Volume",
    "颜色": "Colour",
    "色号": "Shade",
    "规格": "Pack",
    "版本": "Edition",
    "型号": "Model",
    "年份": "Vintage",
}
ATTRIBUTE_VALUES_EN = {
    "1段 0-6月": "Stage 1, 0–6 months",
    "2段 6-12月": "Stage 2, 6–12 months",
    "3段 1-3岁": "Stage 3, 1–3 years",
    "2段": "Stage 2",
    "S 82片": "S, 82 nappies",
    "M 64片": "M, 64 nappies",
    "L 52片": "L, 52 nappies",
    "L 54片": "L, 54 nappies",
    "中号": "Medium",
    "大号": "Large",
    "58毫米": "58 mm",
    "20毫升": "20 ml",
    "30毫升": "30 ml",
    "50毫升": "50 ml",
    "60毫升": "60 ml",
    "75毫升": "75 ml",
    "100毫升": "100 ml",
    "125毫升": "125 ml",
    "160毫升": "160 ml",
    "200毫升": "200 ml",
    "230毫升": "230 ml",
    "240毫升": "240 ml",
    "360毫升": "360 ml",
    "720毫升": "720 ml",
    "1.0升": "1.0 l",
    "25克": "25 g",
    "40克": "40 g",
    "50克": "50 g",
    "70克": "70 g",
    "75克": "75 g",
    "100克": "100 g",
    "200克": "200 g",
    "250克": "250 g",
    "250克 罐装": "250 g tin",
    "500克": "500 g",
    "700克": "700 g",
    "1千克": "1 kg",
    "100片": "100 tablets",
    "120片": "120 tablets",
    "200片": "200 tablets",
    "90粒": "90 capsules",
    "400粒": "400 capsules",
    "60日量 120粒": "60 days, 120 capsules",
    "30日量 180粒": "30 days, 180 capsules",
    "01 自然色": "01 Natural",
    "02 亮肤色": "02 Light",
    "单机身": "Body only",
    "黑色": "Black",
    "白色": "White",
    "海军蓝": "Navy",
    "深蓝": "Dark blue",
    "粉笔白": "Chalk",
    "紫红镍色": "Fuchsia/nickel",
    "藏青铜色": "Prussian blue/copper",
    "铂金银": "Platinum silver",
    "香槟金": "Champagne gold",
}


def _attributes_en(attributes: dict) -> dict:
    return {
        ATTRIBUTE_NAMES_EN[name]: ATTRIBUTE_VALUES_EN.get(value, value)
        for name, value in attributes.items()
    }


REJECTION = (
    "The photos show the 50 g tin, which is not offered here; please upload photos of the "
    "25 g and 75 g tubes you sell."
)
EDITED_NAME_EN = "Comvita Manuka Honey UMF 15+ 250g (new 2026 label)"
EDITED_NAME_ZH = "康维他麦卢卡蜂蜜 15+ 等级 250克（2026新包装）"


def _record_number(sku: DemoSku) -> str:
    # Illustrative format: customs district code, year, serial from the SKU code.
    serial = sum(ord(c) for c in sku.code) * 7919 % 10**8
    return f"3105{2026}{serial:08d}"


def _sku_input(sku: DemoSku, *, recorded: bool = False) -> SkuInput:
    """The variant as its merchant types it: bonded import (which needs a recorded product
    record) only once ``recorded``."""
    modes = [MODES[letter] for letter in sku.modes if recorded or letter != "b"]
    return SkuInput(
        code=sku.code,
        price=Decimal(sku.price),
        hs_code=sku.hs,
        origin_country=sku.origin,
        net_weight_kg=Decimal(sku.net),
        gross_weight_kg=Decimal(sku.gross),
        attributes_zh_hans=sku.attributes,
        attributes_en=_attributes_en(sku.attributes),
        length_cm=Decimal(sku.size[0]),
        width_cm=Decimal(sku.size[1]),
        height_cm=Decimal(sku.size[2]),
        customs_unit=sku.unit,
        postal_tax_category=sku.postal,
        excise_category=sku.excise,
        tiers=[(quantity, Decimal(price)) for quantity, price in sku.tiers],
        **flags_for(modes or [ClearanceMode.DIRECT]),
    )


def _records(product: Product, item) -> None:
    """Product records as the gateway answered them: each recorded demo variant is
    submitted and answered "800 备案通过" with its number through the same service the
    gateway's SWR102 goes through (in one transaction, so the outbox has nothing left to
    send); "submitted" ones are submitted and really sent once a gateway is running."""
    skus = {s.code: s for s in product.skus.all()}
    for demo_sku in item.skus:
        sku = skus.get(demo_sku.code)
        if sku is None or not demo_sku.record:
            continue
        with transaction.atomic():
            submission = records.product_record_submit(sku=sku, by=None)
            if demo_sku.record is not True:
                continue
            records.product_record_answer(
                guid=submission.guid,
                answer="recorded",
                status="800",
                info="备案通过",
                record_number=_record_number(demo_sku),
                message=DEMO_ANSWER,
            )
        if "b" in demo_sku.modes:
            sku_upsert(product=product, data=_sku_input(demo_sku, recorded=True), by=None)


DEMO_ANSWER = b"<!-- demo seeding: answered as the gateway answers (SWR102, 800) -->"


def _brands() -> dict[str, Brand]:
    existing = {b.slug: b for b in Brand.objects.all()}
    missing = [
        Brand(slug=slug, name_en=en, name_zh_hans=zh, name=en, country=country)
        for slug, en, zh, country in BRANDS
        if slug not in existing
    ]
    Brand.objects.bulk_create(missing)
    return {b.slug: b for b in Brand.objects.all()}


def _owner(merchant: Merchant):
    membership = (
        Membership.objects.filter(merchant=merchant, role=Role.OWNER, is_active=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def seed_catalog_demo(*, operator) -> int:
    """Create the demo brands and products (skipping those that exist, but giving them their
    picture if they have none); returns how many products were created. Merchants or
    categories that are missing are skipped."""
    brands = _brands()
    categories = {c.slug: c for c in Category.objects.all()}
    merchants = {m.slug: m for m in Merchant.objects.filter(slug__in=CURRENCY)}
    owners = {slug: _owner(m) for slug, m in merchants.items()}
    existing = {
        (p.merchant_id, p.slug): p
        for p in Product.objects.filter(merchant__in=merchants.values()).select_related(
            "brand", "category"
        )
    }
    pictured = products_pictured(existing.values())
    created = 0
    for item in PRODUCTS:
        merchant = merchants.get(item.merchant)
        category = categories.get(item.category)
        if merchant is None or category is None:
            continue
        found = existing.get((merchant.pk, slugify(item.en)[:100]))
        if found is not None:
            if found.pk not in pictured:
                picture_backfill(product=found, seller=owners[item.merchant], operator=operator)
            continue
        product = product_create(
            merchant=merchant,
            category=category,
            brand=brands[item.brand],
            name_en=item.en,
            name_zh_hans=item.zh,
            description_en=f"<p>{item.about_en}</p>",
            description_zh_hans=f"<p>{item.about_zh}</p>",
            listing_currency=CURRENCY[item.merchant],
            min_order_quantity=item.moq,
            skus=[_sku_input(sku) for sku in item.skus],
        )
        _records(product, item)
        picture_add(product=product, by=owners[item.merchant])
        created += 1
        if item.state == "draft":
            continue
        seller = owners[item.merchant]
        moderation.product_submit(product=product, by=seller)
        if item.state == "pending":
            continue
        if item.state == "rejected":
            moderation.product_reject(product=product, by=operator, reason=REJECTION)
            continue
        moderation.product_approve(product=product, by=operator)
        if item.state == "edits":
            product_update(
                product=product, by=seller, name_en=EDITED_NAME_EN, name_zh_hans=EDITED_NAME_ZH
            )
    return created


CATEGORIES = [
    ("beauty", "Beauty & Personal Care", "美妆个护"),
    ("mother-baby", "Mother & Baby", "母婴用品"),
    ("health", "Health & Supplements", "营养保健"),
    ("food-wine", "Food & Wine", "食品酒水"),
    ("fashion", "Fashion & Bags", "服饰箱包"),
    ("electronics", "Electronics", "数码家电"),
]


def seed_categories(demo: Demo) -> None:
    """The top of the category tree (the products' own categories come with them)."""
    for position, (slug, en, zh) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug, defaults={"name_en": en, "name_zh_hans": zh, "position": position}
        )


DEMO_STEPS = [
    DemoStep("catalog.categories", seed_categories),
    DemoStep(
        "catalog.products",
        lambda demo: seed_catalog_demo(operator=demo.operator),
        after=("merchants.stores", "catalog.categories"),
    ),
    # stock last: it stocks whatever products are approved by then
    DemoStep("catalog.stock", seed_stock_demo, after=("catalog.products", "logistics.warehouses")),
]
