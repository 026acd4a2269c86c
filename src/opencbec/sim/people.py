"""Simulated people: buyers, payers and consignees with valid resident ID numbers.

Every person made by a :class:`PersonFactory` gets a distinct ID number: the n-th person's
first 17 digits come from a bijection of n (region code, birth date 1965-2004, sequence code),
and the 18th is the GB 11643 check character. Names, phones and addresses are drawn at random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from opencbec.domain.resident_id import check_char


@dataclass(frozen=True, slots=True)
class Region:
    """A county-level division: GB/T 2260 code and names (``city`` empty for municipalities)."""

    code: str
    province: str
    city: str
    district: str


@dataclass(frozen=True, slots=True)
class Person:
    """A natural person as the CEB messages carry them."""

    id_number: str
    name: str
    phone: str
    address: str
    district_code: str


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


REGIONS: tuple[Region, ...] = tuple(
    Region(*row.split())
    for row in """
110101 北京市 - 东城区
110105 北京市 - 朝阳区
110108 北京市 - 海淀区
120101 天津市 - 和平区
310104 上海市 - 徐汇区
310112 上海市 - 闵行区
310115 上海市 - 浦东新区
500103 重庆市 - 渝中区
130102 河北省 石家庄市 长安区
210203 辽宁省 大连市 西岗区
220102 吉林省 长春市 南关区
230102 黑龙江省 哈尔滨市 道里区
320102 江苏省 南京市 玄武区
320506 江苏省 苏州市 吴中区
330106 浙江省 杭州市 西湖区
330110 浙江省 杭州市 余杭区
330203 浙江省 宁波市 海曙区
340104 安徽省 合肥市 蜀山区
350203 福建省 厦门市 思明区
360102 江西省 南昌市 东湖区
370102 山东省 济南市 历下区
370202 山东省 青岛市 市南区
410105 河南省 郑州市 金水区
420106 湖北省 武汉市 武昌区
430104 湖南省 长沙市 岳麓区
440106 广东省 广州市 天河区
440304 广东省 深圳市 福田区
440305 广东省 深圳市 南山区
441900 广东省 东莞市 -
450103 广西壮族自治区 南宁市 青秀区
460106 海南省 海口市 龙华区
510104 四川省 成都市 锦江区
510107 四川省 成都市 武侯区
530102 云南省 昆明市 五华区
610113 陕西省 西安市 雁塔区
""".strip().splitlines()
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲宇浩凯婷雪琳晨欣怡梓涵子轩"
    "思雨佳琪可馨一诺雨桐嘉懿博文宏志俊峰晓东丹阳颖慧瑞雅若曦天佑宁泽"
)
PHONE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 176 177 "
    "180 181 182 183 185 186 187 188 189 191 198 199"
)
STREETS = _words(
    "人民路 解放路 中山路 建设路 文化路 和平路 长江路 黄河路 新华路 学院路 花园路 滨江路 世纪大道 科技路 "
    "青年路 朝阳路 东风路 光明路 幸福路 迎宾大道 金融街 湖滨路 振兴路 五一路"
)
ESTATES = _words(
    "阳光花园 锦绣家园 翠苑 华府 城市广场 万象城 金色家园 御景湾 碧桂苑 春天里 绿城桂花园 海岸名邸 "
    "书香门第 紫荆公寓 香榭丽舍 东方明珠苑"
)

_FIRST_BIRTHDAY = date(1965, 1, 1)
_BIRTH_DAYS = (date(2004, 12, 31) - _FIRST_BIRTHDAY).days + 1
_SPACE = len(REGIONS) * _BIRTH_DAYS * 1000  # distinct first-17-digit combinations
_MULTIPLIER = 1_000_003  # prime, coprime with _SPACE: n -> n*M+C mod _SPACE is a bijection
_CHECK_CHARS = "0123456789X"


def resident_id(n: int) -> tuple[str, Region]:
    """The n-th simulated resident ID number (valid, distinct for distinct n) and its region.

    >>> from opencbec.domain.resident_id import is_valid
    >>> number, _ = resident_id(42)
    >>> is_valid(number), number != resident_id(43)[0]
    (True, True)
    """
    p = (n * _MULTIPLIER + 7_654_321) % _SPACE
    region = REGIONS[p % len(REGIONS)]
    p //= len(REGIONS)
    born = _FIRST_BIRTHDAY + timedelta(days=p % _BIRTH_DAYS)
    first17 = f"{region.code}{born:%Y%m%d}{p // _BIRTH_DAYS:03d}"
    return first17 + check_char(first17), region


def with_wrong_check(number: str, rng: random.Random) -> str:
    """``number`` with a wrong check character (a typo the buyer made on the platform).

    >>> from opencbec.domain.resident_id import is_valid
    >>> is_valid(with_wrong_check(resident_id(1)[0], random.Random(0)))
    False
    """
    wrong = [c for c in _CHECK_CHARS if c != number[17]]
    return number[:17] + rng.choice(wrong)


class PersonFactory:
    """Makes distinct people; deterministic for a given random generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._count = 0

    def person(self) -> Person:
        """A new person, living in their ID region or (one in three) in a big city."""
        rng = self._rng
        self._count += 1
        number, region = resident_id(self._count)
        if rng.random() < 0.33:
            region = REGIONS[rng.randrange(8)]
        return Person(number, self.name(), self.phone(), self.address(region), region.code)

    def relative(self, of: Person) -> Person:
        """A new person sharing ``of``'s address (spouse, parent)."""
        number, _ = resident_id(self._count + 1)
        self._count += 1
        return Person(number, self.name(of.name[0]), self.phone(), of.address, of.district_code)

    def name(self, surname: str | None = None) -> str:
        """A Chinese name: surname and one or two given characters."""
        rng = self._rng
        given = "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.3 else 2))
        return (surname or rng.choice(SURNAMES)) + given

    def phone(self) -> str:
        """A mainland mobile number."""
        return f"{self._rng.choice(PHONE_PREFIXES)}{self._rng.randrange(10**8):08d}"

    def address(self, region: Region) -> str:
        """A street address in ``region``."""
        rng = self._rng
        city = "" if region.city == "-" else region.city
        district = "" if region.district == "-" else region.district
        return (
            f"{region.province}{city}{district}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
            f"{rng.choice(ESTATES)}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
            f"{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
        )
