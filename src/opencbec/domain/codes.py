"""Status codes and reason codes used in receipts (``returnStatus`` / ``returnInfo``).

``returnStatus`` values are the official ones (CEB spec 2022, §2-3). ``returnInfo`` carries
``[Code:nnnn;Desc:...]`` followed by detail naming the document, field and rule. Where the
official catalogue (spec §7 and real receipts) has a code for a reason we use it; reasons the
catalogue does not cover get an OpenCBEC code in the range 9000-9099, documented in
``docs/receipt-codes.md``. Transport/format errors (CEB900) use the four-digit table 7-1.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.StrEnum):
    """Official ``returnStatus`` values."""

    HELD = "1"  # 电子口岸已暂存 (appStatus=1)
    DECLARING = "2"  # 电子口岸申报中: accepted, waiting for partner documents
    REJECTED = "100"  # 海关退单
    STORED = "120"  # 海关入库 (logic checks passed)
    MANUAL_REVIEW = "300"  # 人工审核
    CONCLUDED = "399"  # 海关审结 (cancel / return approved, or list cancelled)
    INSPECTION = "500"  # 查验
    DETAINED_CLEARANCE = "501"  # 扣留移送通关
    DETAINED_SMUGGLING = "502"  # 扣留移送缉私
    DETAINED_LEGAL = "503"  # 扣留移送法规
    DETAINED_OTHER = "599"  # 其他扣留
    RETURNED_ABROAD = "700"  # 退运
    RELEASED = "800"  # 放行


#: Statuses after which a list counts against the buyer's limits.
LIST_ACCEPTED = frozenset({Status.MANUAL_REVIEW, Status.INSPECTION, Status.RELEASED})


@dataclass(frozen=True, slots=True)
class Reason:
    """A receipt reason: a code and its official (or OpenCBEC) description."""

    code: str
    desc: str

    def info(self, detail: str = "") -> str:
        """Render ``returnInfo``: ``[Code:nnnn;Desc:...]`` plus optional detail.

        >>> Reason("1313", "超过年度限额").info("buyer 1101...")
        '[Code:1313;Desc:超过年度限额] buyer 1101...'
        """
        base = f"[Code:{self.code};Desc:{self.desc}]"
        return f"{base} {detail}" if detail else base


class R:
    """The reasons OpenCBEC gives, by name."""

    # --- official receipt codes seen in real receipts -----------------------------------
    LOGIC_PASSED = Reason("1800", "逻辑校验通过")
    RELEASED = Reason("2600", "放行")
    MANUAL_REVIEW = Reason("1200", "待人工审核")
    APPROVED = Reason("2300", "审核通过")
    BAD_BUYER_ID = Reason("1300", "人工退单，订购人身份证号码有误")
    ANNUAL_LIMIT = Reason("1313", "订购人购买超过年度限额,超过个人年度购买额度")
    ITEMS_MISMATCH = Reason("1322", "订单清单表体商品项不一致")
    BUYER_NOT_PAYER = Reason("1327", "订单购买人与支付人名字或身份证号码不一致")
    PAY_ENTERPRISE_MISMATCH = Reason("13035", "支付企业不一致")
    LIST_BUYER_MISMATCH = Reason("13127", "清单订购人和订单不一致，修改订购人后重新申报")
    # --- official business error codes (spec 2022 §7) -----------------------------------
    DUPLICATE_ORDER = Reason("-301010", "已存在相同编号的订单")
    ORDER_LOCKED = Reason("-301011", "该订单已向海关申报清单，状态不符")
    ORDER_NOT_FOUND_FOR_CHANGE = Reason("-301009", "订单标识(appType)不正确,未找到操作的订单")
    DUPLICATE_PAYMENT = Reason("-401007", "已存在相同编号的支付单")
    PAYMENT_LOCKED = Reason("-401008", "该支付单已向海关申报支付单，状态不符")
    PAYMENT_NOT_FOUND_FOR_CHANGE = Reason("-401006", "支付单标识(appType)不正确,未找到对应操作的支付单")
    DUPLICATE_WAYBILL = Reason("-504015", "已存在相同编号的运单")
    WAYBILL_LOCKED = Reason("-504016", "该运单已向海关申报运单，状态不符")
    WAYBILL_NOT_FOUND_FOR_CHANGE = Reason("-504014", "运单标识(appType)不正确,未找到操作的运单")
    DUPLICATE_LIST = Reason("-621004", "清单已经申报过，请勿重复申报")
    SINGLE_LIMIT = Reason("-621005", "清单的购买金额超过单笔限额")
    LIST_NOT_FOUND_FOR_CHANGE = Reason("-621011", "不存在已申报的清单，无法进行改单操作")
    LIST_LOCKED = Reason("-621012", "清单的申报状态不符合改单申报的条件")
    ANNUAL_LIMIT_DETAIL = Reason("-621018", "购买人已用购买额度加本次购买将超过年度限额")
    CANCEL_LIST_NOT_FOUND = Reason("-623003", "系统中不存在该清单编号的清单")
    CANCEL_STATE = Reason("-623005", "清单的状态不符合撤单申报要求")
    DUPLICATE_CANCEL = Reason("-623009", "撤单清单已经申报过")
    REFUND_GNUM_NOT_FOUND = Reason("-625209", "在关联的清单中未找到表体序号")
    DUPLICATE_REFUND = Reason("-625022", "退货申请单已经申报过，请勿重复申报")
    REFUND_STATE = Reason("9023", "清单状态不符合退货申请条件")
    # --- OpenCBEC reasons the official catalogue does not cover (9000-9099) ------------
    PARTNERS_MISSING = Reason("9001", "四单不齐，等待超时")
    AMOUNT_MISMATCH = Reason("9002", "金额不符")
    CONSIGNEE_MISMATCH = Reason("9003", "收货人信息与运单不一致")
    KEY_MISMATCH = Reason("9004", "清单与订单/运单的企业或单号不一致")
    FIELD_RULE = Reason("9005", "字段不符合规范")
    NOT_ON_POSITIVE_LIST = Reason("9010", "商品不在跨境电子商务零售进口商品清单内")
    BONDED_ONLY = Reason("9011", "该商品仅限网购保税进口")
    POSITIVE_LIST_NAME = Reason("9012", "商品名称不在清单备注允许范围内")
    PER_PERSON_QTY = Reason("9013", "超过清单备注规定的个人年度数量")
    SINGLE_ITEM_OVER_LIMIT = Reason("9014", "单件不可分割商品超过单次限值，按货物税率全额征税，转人工审核")
    SPECIFIC_RATE_TAX = Reason("9015", "从量计征消费税商品需人工核定税款")
    REFUND_LATE = Reason("9020", "退货申请超过放行后30天期限")
    REFUND_QTY = Reason("9021", "退货数量超过原清单数量")
    REFUND_LIST_NOT_FOUND = Reason("9022", "退货申请单关联的清单不存在")
    UNSUPPORTED_APP_TYPE = Reason("9030", "不支持的申报类型")
    RANDOM_INSPECTION = Reason("9040", "布控查验（随机抽查）")
    RANDOM_MANUAL_REVIEW = Reason("9041", "随机人工审核")
    RULES_MISSING = Reason("9050", "查无该日期适用的规则数据")
    DETAINED_CLEARANCE = Reason("9060", "扣留移送通关")
    DETAINED_SMUGGLING = Reason("9061", "扣留移送缉私")
    DETAINED_LEGAL = Reason("9062", "扣留移送法规")
    DETAINED_OTHER = Reason("9063", "其他扣留")
    RETURNED_ABROAD = Reason("9064", "退运")
