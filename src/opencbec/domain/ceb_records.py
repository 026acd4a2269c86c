"""Records of the CEB 2022 import messages, field for field as in the official XSD.

Field order is the XSD's element order and names are the XSD's camelCase names in
snake_case, so the XML and JSON codecs can map them mechanically
(``acturalPaid`` <-> ``actural_paid``). Amounts of type N19,5 are ``Decimal``.
This module is generated from ``ceb-import.xsd`` (2022); keep it in step with the XSD.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(kw_only=True, slots=True)
class OrderHead:
    """Order head of CEB311 (import order)."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    order_type: str
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    goods_value: Decimal
    freight: Decimal
    discount: Decimal
    tax_total: Decimal
    actural_paid: Decimal
    currency: str
    buyer_reg_no: str
    buyer_name: str
    buyer_telephone: str
    buyer_id_type: str
    buyer_id_number: str
    pay_code: str | None = None
    pay_name: str | None = None
    pay_transaction_id: str | None = None
    batch_numbers: str | None = None
    consignee: str
    consignee_telephone: str
    consignee_address: str
    consignee_district: str | None = None
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class OrderList:
    """One goods line of an import order."""

    gnum: int
    item_no: str | None = None
    item_name: str
    gmodel: str
    item_describe: str | None = None
    bar_code: str | None = None
    unit: str
    qty: Decimal
    price: Decimal
    total_price: Decimal
    currency: str
    country: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class PaymentHead:
    """CEB411 payment note."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    pay_code: str
    pay_name: str
    pay_transaction_id: str
    order_no: str
    ebp_code: str
    ebp_name: str
    payer_id_type: str
    payer_id_number: str
    payer_name: str
    telephone: str | None = None
    amount_paid: Decimal
    currency: str
    pay_time: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class LogisticsHead:
    """CEB511 import waybill."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    bill_no: str | None = None
    order_no: str
    freight: Decimal | None = None
    insured_fee: Decimal | None = None
    currency: str
    weight: Decimal
    pack_no: int
    goods_info: str | None = None
    consignee: str
    consignee_address: str
    consignee_telephone: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class InventoryHead:
    """Head of a CEB621 import declaration list."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    cop_no: str | None = None
    pre_no: str | None = None
    assure_code: str
    ems_no: str | None = None
    invt_no: str | None = None
    ie_flag: str
    decl_time: str
    customs_code: str
    port_code: str
    ie_date: str | None = None
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    consignee_address: str
    agent_code: str
    agent_name: str
    area_code: str | None = None
    area_name: str | None = None
    trade_mode: str
    traf_mode: str
    traf_no: str | None = None
    voyage_no: str | None = None
    bill_no: str | None = None
    loct_no: str | None = None
    license_no: str | None = None
    country: str
    freight: Decimal
    insured_fee: Decimal
    currency: str
    wrap_type: str | None = None
    pack_no: int
    gross_weight: Decimal
    net_weight: Decimal
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class InventoryList:
    """One goods line of a CEB621 list."""

    gnum: int
    item_record_no: str | None = None
    item_no: str | None = None
    item_name: str | None = None
    gcode: str
    gname: str
    gmodel: str
    bar_code: str | None = None
    country: str
    trade_country: str | None = None
    currency: str
    qty: Decimal
    unit: str
    qty1: Decimal
    unit1: str
    qty2: Decimal | None = None
    unit2: str | None = None
    price: Decimal
    total_price: Decimal
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class InvtCancel:
    """CEB623 cancellation application."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    customs_code: str
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    cop_no: str | None = None
    pre_no: str | None = None
    invt_no: str
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    agent_code: str
    agent_name: str
    reason: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class InvtRefundHead:
    """Head of a CEB625 return application."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    customs_code: str
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    cop_no: str | None = None
    pre_no: str | None = None
    invt_no: str
    buyer_id_type: str
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    agent_code: str
    agent_name: str
    reason: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class InvtRefundList:
    """One returned line of a CEB625 application."""

    gnum: int
    gcode: str
    gname: str
    qty: Decimal
    unit: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class OrderReturn:
    """CEB312 order receipt entry."""

    guid: str
    ebp_code: str
    ebc_code: str
    order_no: str
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class PaymentReturn:
    """CEB412 payment receipt entry."""

    guid: str
    pay_code: str
    pay_transaction_id: str
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class LogisticsReturn:
    """CEB512 waybill receipt entry."""

    guid: str
    logistics_code: str
    logistics_no: str
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class InventoryReturn:
    """CEB622 list receipt entry."""

    guid: str
    customs_code: str | None = None
    ebp_code: str | None = None
    ebc_code: str | None = None
    agent_code: str | None = None
    cop_no: str
    pre_no: str
    invt_no: str | None = None
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class InvtCancelReturn:
    """CEB624 cancellation receipt entry."""

    guid: str
    customs_code: str | None = None
    agent_code: str | None = None
    ebp_code: str | None = None
    ebc_code: str | None = None
    cop_no: str
    pre_no: str
    invt_no: str | None = None
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class InvtRefundReturn:
    """CEB626 return receipt entry."""

    guid: str
    customs_code: str | None = None
    agent_code: str | None = None
    ebp_code: str | None = None
    ebc_code: str | None = None
    cop_no: str
    pre_no: str
    invt_no: str | None = None
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class TaxHeadRd:
    """Head of a CEB816 electronic tax note."""

    guid: str
    return_time: str
    invt_no: str
    tax_no: str
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal
    status: str
    ent_duty_no: str | None = None
    note: str | None = None
    assure_code: str | None = None
    ebc_code: str | None = None
    logistics_code: str | None = None
    agent_code: str | None = None
    customs_code: str | None = None


@dataclass(kw_only=True, slots=True)
class TaxListRd:
    """One line of a CEB816 tax note."""

    gnum: int
    gcode: str
    tax_price: Decimal
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal


@dataclass(kw_only=True, slots=True)
class MessageReturn:
    """CEB900 format-validation receipt."""

    guid: str
    return_status: str
    return_info: str
    return_time: str
    ori_cop_msg_id: str
    ori_message_type: str
    ori_biz_message: str


@dataclass(kw_only=True, slots=True)
class BaseTransfer:
    """The transmitting enterprise of a message."""

    cop_code: str
    cop_name: str
    dxp_mode: str
    dxp_id: str
    note: str | None = None
