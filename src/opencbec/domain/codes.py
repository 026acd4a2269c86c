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
    # --- risk targeting (9070-9089), see docs/risk.md -------------------------------------------
    RISK_TARGETED = Reason("9070", "风险布控查验（规则或模型选中）")
    RISK_REVIEW = Reason("9071", "风险规则命中，转人工审核")
    # --- OpenCBEC export reasons (9100-9149), see docs/export.md ---------------------------
    X_DUPLICATE = Reason("9100", "出口单证已经申报过，请勿重复申报")
    X_NOT_FOUND_FOR_CHANGE = Reason("9101", "未找到要修改的出口单证")
    X_LOCKED = Reason("9102", "出口单证状态不允许修改")
    X_UNSUPPORTED_APP_TYPE = Reason("9103", "不支持的申报类型(appType)")
    X_FIELD = Reason("9104", "出口清单字段不符合规范")
    X_ITEMS_MISMATCH = Reason("9105", "清单与订单表体商品项不一致")
    X_PARTY_MISMATCH = Reason("9106", "清单与订单、运单或收款单的企业或单号不一致")
    X_ORDER_TYPE = Reason("9107", "订单类型与清单贸易方式不符")
    X_NOT_SIMPLIFIED = Reason("9108", "不符合简化申报条件（涉证、涉出口关税或出口退税）")
    X_B2B_OVER_LIMIT = Reason("9109", "跨境电商B2B出口单票超过5000元，须以报关单申报")
    X_BONDED_FIELDS = Reason("9110", "特殊区域出口清单缺少账册、区内企业或账册备案料号")
    X_WAYBILL_UNKNOWN = Reason("9111", "运单未找到对应的出口清单")
    X_NOT_RELEASED = Reason("9112", "清单未放行，不能离境")
    X_LIST_NOT_FOUND = Reason("9113", "清单不存在")
    X_CANCEL_STATE = Reason("9114", "清单状态不允许撤销")
    X_SUMMARY_NONE = Reason("9115", "没有可汇总的清单")
    X_SUMMARY_LIST = Reason("9116", "清单不符合汇总条件")
    X_SUMMARY_FLAG = Reason("9117", "汇总标志不正确")
    X_SUMMARY_OVERDUE = Reason("9118", "上月结关清单逾期未汇总申报")
    X_RETURN_STATE = Reason("9119", "原清单状态不符合退货条件")
    X_RETURN_LATE = Reason("9120", "退货申请超过出口放行后一年期限")
    X_RETURN_QTY = Reason("9121", "退货数量超过原清单数量")
    X_RETURN_GNUM = Reason("9122", "在原清单中未找到表体序号")
    X_RETURN_TRADE_MODE = Reason("9123", "退货贸易方式与原清单不符（一般出口9661，特殊区域出口1261）")
    X_RETURN_COUNTRY = Reason("9124", "启运国不能为中国")
    X_RETURN_TAX_EXEMPT = Reason("9125", "符合出口退货税收政策，免征进口关税和进口环节增值税、消费税")
    X_RETURN_TAXABLE = Reason("9126", "不符合出口退货税收政策，照章征收进口税")
    X_TALLY_NO_RETURN = Reason("9127", "理货明细未找到对应的退货申请")
    X_WAITING = Reason("9128", "等待订单、运单或收款单")
    X_CLOSED = Reason("9129", "已离境，清单结关")
    X_ARRIVED = Reason("9130", "已运抵监管场所")
