"""The enterprises of the simulated traffic: platforms, sellers, payment firms, carriers, brokers, sites.

All names and enterprise codes are fictional but shaped like real ones (10-character customs
registration codes: 4-digit area + type digits + serial). Customs codes (``customsCode`` /
``portCode``) are real entries of the shipped customs-district table.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from opencbec.domain.ceb_records import BaseTransfer


@dataclass(frozen=True, slots=True)
class Enterprise:
    """A registered enterprise: customs code and name."""

    code: str
    name: str

    @property
    def transfer(self) -> BaseTransfer:
        """The ``BaseTransfer`` of messages this enterprise transmits itself."""
        dxp = f"DXPENT{zlib.crc32(self.code.encode()) % 10**10:010d}"
        return BaseTransfer(cop_code=self.code, cop_name=self.name, dxp_mode="DXP", dxp_id=dxp)


@dataclass(frozen=True, slots=True)
class Carrier:
    """A logistics enterprise and the shape of its waybill numbers (``logisticsNo``)."""

    firm: Enterprise
    prefix: str  # letters before the serial; "S10" for UPU S10 numbers (EMS)
    digits: int


@dataclass(frozen=True, slots=True)
class Site:
    """Where lists are declared: customs office, port and, for bonded import, the warehouse ledger."""

    customs_code: str
    port_code: str
    name: str
    traf_mode: str
    broker: Enterprise
    bonded: bool
    area: Enterprise | None = None  # bonded warehouse enterprise (areaCode / areaName)
    ems_no: str | None = None  # bonded ledger (账册) number


@dataclass(frozen=True, slots=True)
class Platform:
    """An e-commerce platform with the sellers, payment firms, carriers and sites it works with."""

    firm: Enterprise
    short_name: str
    order_prefix: str
    weight: float
    bonded_share: float
    sellers: tuple[Enterprise, ...]
    payers: tuple[Enterprise, ...]
    carriers: tuple[Carrier, ...]
    direct_sites: tuple[Site, ...]
    bonded_sites: tuple[Site, ...]


def _e(code: str, name: str) -> Enterprise:
    return Enterprise(code, name)


# --- declaring enterprises (customs brokers) -------------------------------------------------
BROKER_SHANGHAI = _e("3120980C37", "上海浦港报关有限公司")
BROKER_HANGZHOU = _e("3301980B21", "杭州关通报关有限公司")
BROKER_QINGDAO = _e("3702980D45", "青岛海晟报关行有限公司")

# --- customs sites ------------------------------------------------------------------------------
SHANGHAI_EXPRESS = Site("2244", "2233", "上海快件", "5", BROKER_SHANGHAI, False)
HANGZHOU_ECOMMERCE = Site("2928", "2928", "杭关电商", "5", BROKER_HANGZHOU, False)
QINGDAO_EXPRESS = Site("4240", "4240", "青关快件", "5", BROKER_QINGDAO, False)
WEIHAI_EXPRESS = Site("4238", "4238", "威海快件", "2", BROKER_QINGDAO, False)
YANGSHAN_BONDED = Site(
    "2249", "2249", "洋山保税", "Y", BROKER_SHANGHAI, True,
    _e("3122W60017", "上海洋山跨境仓储有限公司"), "T2249W000038",
)  # fmt: skip
SHANGHAI_LOGISTICS_PARK = Site(
    "2246", "2246", "保税物流", "X", BROKER_SHANGHAI, True,
    _e("3122W68102", "上海外高桥物流园区仓储有限公司"), "T2246W000007",
)  # fmt: skip
QINGDAO_BONDED_PORT = Site(
    "4258", "4258", "青保税港", "Y", BROKER_QINGDAO, True,
    _e("3702W60A19", "青岛前湾保税港区跨境仓储有限公司"), "T4258W000112",
)  # fmt: skip

# --- payment enterprises -------------------------------------------------------------------------
YUNFU = _e("312226Z001", "云付网络技术有限公司")
CAIFUBAO = _e("440316T004", "财付宝支付科技有限公司")
JINGJING_PAY = _e("110591J2PY", "京鲸支付有限公司")
YINLIANTONG = _e("3120962U10", "银联通跨境支付服务有限公司")
ZHAOYING_BANK = _e("4403130001", "招盈银行股份有限公司")

# --- carriers ------------------------------------------------------------------------------------
SHUNDA = Carrier(_e("4403980SD2", "深圳顺达速运有限公司"), "SD", 13)
HUAYOU = Carrier(_e("1101980EM5", "华邮速递物流有限公司"), "S10", 9)
YUANDA = Carrier(_e("3120980YT8", "上海圆达速递有限公司"), "YD", 13)
JINGJING_LOGISTICS = Carrier(_e("1105980JW3", "北京京鲸物流有限公司"), "JW", 12)
ZHONGYUAN = Carrier(_e("3301980ZT6", "浙江中远快运有限公司"), "78", 12)

PLATFORMS: tuple[Platform, ...] = (
    Platform(
        _e("3301968A2F", "浙江云猫国际网络有限公司"), "云猫国际", "YM", 0.35, 0.7,
        (_e("3301961N05", "杭州优洋供应链管理有限公司"),
         _e("3301963E66", "浙江欧罗巴母婴用品有限公司"),
         _e("4403964H90", "深圳前海澳新优品进出口有限公司")),
        (YUNFU, ZHAOYING_BANK), (SHUNDA, YUANDA, ZHONGYUAN),
        (HANGZHOU_ECOMMERCE, SHANGHAI_EXPRESS), (YANGSHAN_BONDED, SHANGHAI_LOGISTICS_PARK),
    ),
    Platform(
        _e("1105960JX7", "北京京鲸全球购电子商务有限公司"), "京鲸全球购", "JJ", 0.25, 0.6,
        (_e("1105962C17", "北京海外直采商贸有限公司"),
         _e("3702966M21", "青岛日韩优购国际贸易有限公司")),
        (JINGJING_PAY, YINLIANTONG), (JINGJING_LOGISTICS, HUAYOU),
        (QINGDAO_EXPRESS, WEIHAI_EXPRESS, SHANGHAI_EXPRESS), (QINGDAO_BONDED_PORT,),
    ),
    Platform(
        _e("3120960K9Q", "上海小红船跨境电子商务有限公司"), "小红船", "XH", 0.15, 0.5,
        (_e("3120962R48", "上海环球优选贸易有限公司"),),
        (CAIFUBAO, YUNFU), (YUANDA, SHUNDA),
        (SHANGHAI_EXPRESS,), (YANGSHAN_BONDED,),
    ),
    Platform(
        _e("4403966T3M", "深圳海淘宝贝科技有限公司"), "海淘宝贝", "HT", 0.10, 0.3,
        (_e("4403964H90", "深圳前海澳新优品进出口有限公司"),
         _e("3702966M21", "青岛日韩优购国际贸易有限公司")),
        (CAIFUBAO, YINLIANTONG), (SHUNDA, HUAYOU),
        (SHANGHAI_EXPRESS, QINGDAO_EXPRESS), (QINGDAO_BONDED_PORT,),
    ),
    Platform(
        _e("3301960Y8C", "杭州考拉湾进出口有限公司"), "考拉湾海购", "KL", 0.15, 0.8,
        (_e("3301961N05", "杭州优洋供应链管理有限公司"),
         _e("3301963E66", "浙江欧罗巴母婴用品有限公司")),
        (YUNFU, CAIFUBAO), (ZHONGYUAN, YUANDA),
        (HANGZHOU_ECOMMERCE,), (SHANGHAI_LOGISTICS_PARK, YANGSHAN_BONDED),
    ),
)  # fmt: skip

#: Flights (and one sea route) bringing direct-purchase parcels, by dispatch country:
#: (trafNo, master-bill prefix; "" for a sea voyage).
ROUTES: dict[str, tuple[str, str]] = {
    "116": ("NH919", "205"),  # Japan
    "133": ("KE893", "180"),  # Korea
    "502": ("CK222", "112"),  # USA
    "303": ("CA938", "999"),  # UK
    "304": ("LH728", "020"),  # Germany
    "305": ("AF112", "057"),  # France
    "601": ("MU562", "781"),  # Australia
    "609": ("NZ289", "086"),  # New Zealand
    "309": ("KL897", "074"),  # Netherlands
    "122": ("MH360", "232"),  # Malaysia
    "112": ("GA858", "126"),  # Indonesia
    "141": ("VN512", "738"),  # Viet Nam
    "137": ("TK020", "235"),  # Turkey
    "501": ("AC025", "014"),  # Canada
}
#: Origins without a direct route ship through a hub country.
HUBS = {"312": "304", "307": "304", "315": "304", "410": "502", "419": "502"}
SEA_ROUTE_KOREA = "HUADONG PEARL"


def master_bill(prefix: str, site: Site, country: str, day: str) -> str:
    """A master air waybill ``ppp-sssssssc`` (check digit = serial mod 7), or a sea bill.

    >>> master_bill("112", SHANGHAI_EXPRESS, "502", "20240611")[:4]
    '112-'
    """
    serial = zlib.crc32(f"{site.customs_code}|{country}|{day}".encode()) % 10**7
    if not prefix:
        return f"WHSEA{day[2:]}{serial % 1000:03d}"
    return f"{prefix}-{serial:07d}{serial % 7}"


def s10_check(serial: str) -> str:
    """The UPU S10 check digit of an 8-digit serial.

    >>> s10_check("47312482")
    '9'
    """
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return "0" if check == 10 else "5" if check == 11 else str(check)


def scramble(serial: int, digits: int) -> str:
    """``serial`` as ``digits`` random-looking digits; a bijection for serial < 10**digits.

    >>> scramble(1, 6), scramble(2, 6)
    ('339984', '775745')
    """
    return f"{(serial * 2_654_435_761 + 1_013_904_223) % 10**digits:0{digits}d}"


def waybill_number(carrier: Carrier, serial: int) -> str:
    """Waybill number ``serial`` of ``carrier``; distinct serials give distinct numbers."""
    if carrier.prefix == "S10":
        digits = scramble(serial, 8)
        letter = "ABCEL"[serial // 10**8 % 5]
        return f"E{letter}{digits}{s10_check(digits)}CN"
    return f"{carrier.prefix}{scramble(serial, carrier.digits)}"
