"""The goods sold in simulated traffic, and which of them may be sold on a date.

A product is offered only when the rulebook in force on the declaration date puts its tariff line
on the positive list with no remark the simulator would have to satisfy (bonded-only under 9610,
a name whitelist, a per-person quantity) and its consumption tax, if any, is a plain ad-valorem
rate (no threshold, band or specific rate). Lines not on the list are the *off-list* goods used
for the ``off_list_goods`` anomaly. Unknown lines are harmless: if the shipped positive list
lacks them (cosmetics, wine, infant formula today), they are simply not offered.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from decimal import Decimal

from opencbec.rules import RulesAt


@dataclass(frozen=True, slots=True)
class Product:
    """A sellable product: tariff line, names, units, price range and origins."""

    gcode: str
    gname: str
    spec: str
    brands: tuple[str, ...]
    unit: str  # declared unit (CEB ``unit``)
    unit1: str  # legal unit (CEB ``unit1``)
    qty1_per_unit: Decimal  # legal quantity per declared unit
    kg_per_unit: Decimal  # net weight per declared unit
    low: int  # price range in yuan per unit
    high: int
    origins: tuple[str, ...]
    popularity: float = 1.0
    bonded_only: bool = False  # cold chain or bulk: sold from bonded stock only

    def bar_code(self, brand: str, country: str) -> str:
        """A stable EAN-13 for the product of ``brand`` with the origin's GS1 prefix."""
        return _bar_code(self.gcode, brand, country)

    def item_no(self, brand: str) -> str:
        """The seller's SKU."""
        return _item_no(self.gcode, brand, self.spec)


@functools.cache
def _bar_code(gcode: str, brand: str, country: str) -> str:
    body = f"{GS1_PREFIX.get(country, '69')}{zlib.crc32((gcode + brand).encode()):010d}"[:12]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str(-total % 10)


@functools.cache
def _item_no(gcode: str, brand: str, spec: str) -> str:
    return f"SKU{zlib.crc32((gcode + brand + spec).encode()) % 10**9:09d}"


GS1_PREFIX = {
    "116": "49", "133": "880", "502": "0", "303": "50", "304": "40", "305": "30", "601": "93",
    "609": "94", "309": "87", "312": "84", "307": "80", "315": "90", "122": "955", "112": "899",
    "141": "893", "137": "869", "501": "06", "410": "789",
}  # fmt: skip

KG, PIECE, PAIR, SET, LITRE = "035", "007", "025", "006", "095"


def _p(
    gcode: str, gname: str, spec: str, brands: str, unit: str, unit1: str, qty1: str, kg: str,
    low: int, high: int, origins: str, popularity: float = 1.0, bonded_only: bool = False,
) -> Product:  # fmt: skip
    return Product(
        gcode, gname, spec, tuple(brands.split("/")), unit, unit1, Decimal(qty1), Decimal(kg),
        low, high, tuple(origins.split()), popularity, bonded_only,
    )  # fmt: skip


PRODUCTS: tuple[Product, ...] = (
    _p("0402210000", "全脂高钙奶粉", "900g/罐", "Kiwimilk/Alpenhof/Aussiedale",
       "122", KG, "0.9", "0.9", 150, 400, "609 601 304 309", 6),
    _p("0402100000", "脱脂奶粉", "1kg/袋", "Kiwimilk/Aussiedale",
       "136", KG, "1", "1", 120, 260, "609 601", 2),
    _p("0401200000", "全脂纯牛奶", "250ml*24盒/箱", "Aussiedale/Bergweide/Lactalpes",
       "120", KG, "6.2", "6.2", 89, 169, "601 304 305 609", 4, True),
    _p("0401100000", "脱脂纯牛奶", "1L*12盒/箱", "Aussiedale/Bergweide",
       "120", KG, "12.4", "12.4", 99, 189, "601 304", 2, True),
    _p("0402910000", "淡炼乳", "410g/罐", "Dutch Meadow/Kiwimilk",
       "122", KG, "0.41", "0.41", 15, 39, "309 609", 1),
    _p("0404100000", "乳清蛋白粉", "2.27kg/桶", "IronPeak/Kiwimilk",
       "123", KG, "2.27", "2.27", 299, 699, "502 609", 3),
    _p("0405100000", "淡味黄油", "250g/块", "Normandel/Kiwimilk",
       "017", KG, "0.25", "0.25", 25, 69, "305 609", 1, True),
    _p("0406900000", "切达奶酪", "200g/盒", "Aussiedale/Kiwimilk/Normandel",
       "140", KG, "0.2", "0.2", 35, 99, "609 601 305", 1, True),
    _p("0409000000", "麦卢卡蜂蜜UMF10+", "250g/瓶", "Manuka Vale/Kiwibee",
       "142", KG, "0.25", "0.25", 150, 900, "609", 4),
    _p("0410001000", "干燕窝", "50g/盒", "Borneo Nest/Java Swift",
       "140", KG, "0.05", "0.05", 500, 3000, "122 112", 2),
    _p("0410004200", "蜂王浆冻干粉", "100g/瓶", "Royal Hive/Kiwibee",
       "142", KG, "0.1", "0.1", 150, 600, "601 609", 2),
    _p("0410004300", "蜂花粉", "250g/瓶", "Royal Hive/Iberbee",
       "142", KG, "0.25", "0.25", 60, 180, "601 312", 1),
    _p("0410004900", "蜂胶滴剂", "30ml/瓶", "Royal Hive/Kiwibee",
       "142", KG, "0.03", "0.05", 120, 450, "601 609 410", 2),
    _p("0802520000", "盐焗开心果仁", "454g/袋", "Sunvalley/Golden Orchard",
       "136", KG, "0.454", "0.454", 49, 129, "502", 2),
    _p("0802620000", "夏威夷果仁", "500g/袋", "Macadamia Coast",
       "136", KG, "0.5", "0.5", 69, 159, "601", 2),
    _p("0802120000", "巴旦木仁", "1.36kg/袋", "Sunvalley/Golden Orchard",
       "136", KG, "1.36", "1.36", 99, 189, "502", 1),
    _p("0801320000", "烘焙腰果仁", "500g/罐", "Mekong Harvest",
       "122", KG, "0.5", "0.5", 49, 99, "141", 1),
    _p("0802220000", "榛子仁", "400g/袋", "Anatolia Gold",
       "136", KG, "0.4", "0.4", 59, 119, "137", 1),
    _p("0712909900", "冻干什锦蔬菜脆", "100g/袋", "Hokkaido Farm/Seoul Crisp",
       "136", KG, "0.1", "0.1", 19, 49, "116 133", 1),
    _p("0210190000", "伊比利亚火腿切片", "100g/盒", "Dehesa Real/Iberico Oro",
       "140", KG, "0.1", "0.1", 99, 399, "312", 1, True),
    _p("0210200000", "风干牛肉干", "200g/袋", "Outback Jerky/Kiwi Ranch",
       "136", KG, "0.2", "0.2", 49, 129, "601 609", 1),
    _p("0308190000", "北海道淡干海参", "250g/盒", "Rishiri Hokkai",
       "140", KG, "0.25", "0.25", 800, 3000, "116", 2),
    _p("0306120000", "冷冻熟波士顿龙虾", "500g/只", "Atlantic Claw",
       "008", KG, "0.5", "0.5", 159, 299, "501", 1, True),
    _p("0307990000", "日本干贝", "250g/袋", "Rishiri Hokkai",
       "136", KG, "0.25", "0.25", 180, 480, "116", 1),
    _p("9504502000", "便携式游戏机", "OLED版", "Nintaro/Soniq",
       "001", "001", "1", "0.42", 1999, 3299, "116", 3),
    _p("9504503000", "家用游戏主机", "1TB数字版", "Soniq/Xenon",
       "001", "001", "1", "4.5", 2999, 4299, "116 502", 2),
    _p("9504508000", "无线游戏手柄", "标准版", "Nintaro/Soniq/Xenon",
       "007", PIECE, "1", "0.28", 299, 599, "116 502", 3),
    _p("9506110000", "高山滑雪板", "170cm", "Alpensport/Glacier",
       "025", PAIR, "1", "3.6", 2499, 4799, "315 305 502", 1),
    _p("9506120000", "滑雪固定器", "DIN 4-12", "Alpensport/Glacier",
       "026", PAIR, "1", "1.9", 899, 2199, "315 305", 1),
    _p("9506190000", "碳纤维滑雪杖", "120cm", "Alpensport/Glacier",
       "019", PAIR, "1", "0.5", 299, 899, "315 305", 1),
    _p("3215190000", "家用打印机墨水", "70ml/瓶", "Inkomi/PrintJoy",
       "142", KG, "0.08", "0.08", 89, 299, "116 502", 1),
    _p("1901101000", "婴幼儿配方奶粉3段", "800g/罐", "Kiwimilk/Alpenhof/Dutch Meadow",
       "122", KG, "0.8", "0.8", 180, 420, "609 309 304", 8),
    _p("3304990099", "保湿面霜", "50ml/瓶", "Maison Lune/Sakura Skin",
       "142", KG, "0.05", "0.05", 80, 900, "305 116 133", 6),
    _p("2204210000", "干红葡萄酒", "750ml/瓶", "Chateau Lafleur/Barossa Ridge",
       "142", LITRE, "0.75", "1.3", 80, 1200, "305 601 307", 3),
    _p("2106909090", "深海鱼油软胶囊", "400粒/瓶", "OceanVital/IronPeak",
       "142", KG, "0.6", "0.6", 120, 380, "601 502", 4),
)  # fmt: skip

#: Goods that are not on the positive list (checked against the rulebook on the date).
OFF_LIST: tuple[Product, ...] = (
    _p("3004909000", "复方感冒颗粒", "12包/盒", "Hana Seiyaku",
       "140", KG, "0.1", "0.1", 39, 129, "116"),
    _p("2402200000", "进口卷烟", "20支*10包/条", "Royal Blend",
       "015", "143", "0.2", "0.25", 150, 400, "303 133"),
    _p("0603110000", "鲜切玫瑰", "20枝/扎", "Andes Bloom",
       "124", KG, "0.6", "0.6", 199, 399, "419"),
    _p("9307009000", "装饰武士刀", "104cm", "Seki Forge",
       "016", PIECE, "1", "1.8", 800, 2600, "116"),
    _p("8543400000", "电子雾化器", "套装", "VaporZen", "006", PIECE, "1", "0.2", 99, 299, "502"),
)  # fmt: skip

#: Indivisible premium goods (one unit priced above the single-transaction limit).
PREMIUM: tuple[Product, ...] = (
    _p("0410001000", "特级干燕窝礼盒", "500g/盒", "Borneo Nest",
       "140", KG, "0.5", "0.5", 0, 0, "122 112"),
    _p("0308190000", "北海道淡干海参礼盒", "1kg/盒", "Rishiri Hokkai",
       "140", KG, "1", "1", 0, 0, "116"),
    _p("0210190000", "伊比利亚橡果火腿整腿", "7.5kg/只", "Dehesa Real",
       "008", KG, "7.5", "7.5", 0, 0, "312"),
    _p("9506110000", "竞技级高山滑雪板", "180cm", "Alpensport",
       "025", PAIR, "1", "3.8", 0, 0, "315"),
)  # fmt: skip


def simple_tax(rules: RulesAt, gcode: str) -> bool:
    """Whether the line's consumption tax (if any) is a plain ad-valorem rate."""
    ct = rules.consumption_tax(gcode)
    return ct is None or (ct.specific_rate is None and not ct.thresholds and not ct.other_bands)


def _clean(rules: RulesAt, product: Product, trade_mode: str) -> bool:
    entry = rules.positive_list_entry(product.gcode)
    if entry is None or not simple_tax(rules, product.gcode):
        return False
    if entry.per_person_annual_qty is not None or (entry.bonded_only and trade_mode == "9610"):
        return False
    if product.bonded_only and trade_mode == "9610":
        return False
    return not entry.name_whitelist or any(w in product.gname for w in entry.name_whitelist)


class Catalogue:
    """The products on offer per declaration date and trade mode (computed once per date)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[object, str, str], tuple[Product, ...]] = {}

    def offer(self, rules: RulesAt, trade_mode: str) -> tuple[Product, ...]:
        """Products that clear on the positive list under ``trade_mode``."""
        return self._get(rules, trade_mode, "offer", PRODUCTS, lambda p: _clean(rules, p, trade_mode))

    def off_list(self, rules: RulesAt) -> tuple[Product, ...]:
        """Products whose tariff line is not on the positive list on the date."""
        return self._get(rules, "", "off", OFF_LIST, lambda p: rules.positive_list_entry(p.gcode) is None)

    def premium(self, rules: RulesAt, trade_mode: str) -> tuple[Product, ...]:
        """Indivisible premium goods that pass the positive list."""
        return self._get(rules, trade_mode, "premium", PREMIUM, lambda p: _clean(rules, p, trade_mode))

    def _get(
        self, rules: RulesAt, mode: str, kind: str, pool: tuple[Product, ...], ok: object
    ) -> tuple[Product, ...]:
        key = (rules.as_of, mode, kind)
        found = self._cache.get(key)
        if found is None:
            assert callable(ok)
            found = self._cache[key] = tuple(p for p in pool if ok(p))
        return found
