"""Records of the CEB 2022 export messages, field for field as in the official XSD.

Field order is the XSD's element order and names are the XSD's camelCase names in
snake_case (``fCurrency`` <-> ``f_currency``; ``POD`` <-> ``pod`` is the one irregular name),
so the export codec maps them mechanically. Amounts of type N19,5 are ``Decimal``.
This module is generated from ``ceb-export.xsd`` (2022); ``tests/unit/export/test_records_match_xsd.py``
checks that it stays in step with the XSD.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(kw_only=True, slots=True)
class OrderHead:
    """Order head of CEB303 (export order, B2B order or overseas-warehouse booking)."""

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
    currency: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class OrderList:
    """One goods line of an export order."""

    gnum: int
    item_no: str
    item_name: str
    item_describe: str | None = None
    bar_code: str | None = None
    unit: str
    currency: str
    qty: Decimal
    price: Decimal
    total_price: Decimal
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class OrderReturn:
    """CEB304 order receipt."""

    guid: str
    ebp_code: str
    ebc_code: str
    order_no: str
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class Receipts:
    """CEB403 collection note (收款单)."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    order_no: str
    pay_code: str | None = None
    pay_name: str
    pay_no: str | None = None
    charge: Decimal
    currency: str
    accounting_date: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class ReceiptsReturn:
    """CEB404 collection receipt."""

    guid: str
    ebc_code: str
    order_no: str
    pay_no: str | None = None
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class Logistics:
    """CEB505 export waybill."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    freight: Decimal
    insured_fee: Decimal
    currency: str
    gross_weight: Decimal
    pack_no: int
    goods_info: str
    ebc_code: str | None = None
    ebc_name: str | None = None
    ebc_telephone: str | None = None
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class LogisticsReturn:
    """CEB506 waybill receipt."""

    guid: str
    logistics_code: str
    logistics_no: str
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class ArrivalHead:
    """CEB507 arrival note head (运抵单): goods reached the supervised site."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    customs_code: str
    cop_no: str
    pre_no: str | None = None
    operator_code: str
    operator_name: str
    loct_no: str | None = None
    ie_flag: str
    traf_mode: str
    bill_no: str | None = None
    domestic_traf_no: str
    logistics_code: str
    logistics_name: str
    msg_count: int
    msg_seq_no: int
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class ArrivalList:
    """One waybill of an arrival note."""

    gnum: int
    logistics_no: str
    total_package_no: str | None = None
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class ArrivalReturn:
    """CEB508 arrival receipt."""

    guid: str
    operator_code: str
    logistics_code: str
    pre_no: str
    cop_no: str
    bill_no: str
    msg_seq_no: int
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class DepartureHead:
    """CEB509 departure note head (离境单)."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    customs_code: str
    cop_no: str
    pre_no: str | None = None
    logistics_code: str
    logistics_name: str
    traf_mode: str
    traf_name: str | None = None
    voyage_no: str | None = None
    bill_no: str | None = None
    leave_time: str
    msg_count: int
    msg_seq_no: int
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class DepartureList:
    """One waybill of a departure note."""

    gnum: int
    total_package_no: str | None = None
    logistics_no: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class DepartureReturn:
    """CEB510 departure receipt."""

    guid: str
    logistics_code: str
    cop_no: str
    pre_no: str
    msg_seq_no: int
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class InventoryHead:
    """CEB603 export declaration list head (出口申报清单)."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    customs_code: str
    ebp_code: str
    ebp_name: str
    order_no: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    cop_no: str
    pre_no: str | None = None
    invt_no: str | None = None
    ie_flag: str
    port_code: str
    ie_date: str
    statistics_flag: str
    agent_code: str
    agent_name: str
    ebc_code: str
    ebc_name: str
    owner_code: str
    owner_name: str
    iac_code: str | None = None
    iac_name: str | None = None
    ems_no: str | None = None
    trade_mode: str
    traf_mode: str
    traf_name: str | None = None
    voyage_no: str | None = None
    bill_no: str | None = None
    total_package_no: str | None = None
    loct_no: str | None = None
    license_no: str | None = None
    country: str
    pod: str
    freight: Decimal
    f_currency: str
    f_flag: str
    insured_fee: Decimal
    i_currency: str
    i_flag: str
    wrap_type: str
    pack_no: int
    gross_weight: Decimal
    net_weight: Decimal
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class InventoryList:
    """One goods line of an export list."""

    gnum: int
    item_no: str
    item_record_no: str | None = None
    item_name: str | None = None
    gcode: str
    gname: str
    gmodel: str
    bar_code: str
    country: str
    currency: str
    qty: Decimal
    qty1: Decimal
    qty2: Decimal | None = None
    unit: str
    unit1: str
    unit2: str | None = None
    price: Decimal
    total_price: Decimal
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class InventoryReturn:
    """CEB604 export list receipt."""

    guid: str
    agent_code: str
    cop_no: str
    pre_no: str
    invt_no: str
    ebc_code: str
    ebp_code: str
    order_no: str
    statistics_flag: str
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class InvtCancel:
    """CEB605 cancellation application of an export list."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    customs_code: str
    cop_no: str
    pre_no: str | None = None
    invt_no: str
    reason: str
    agent_code: str
    agent_name: str
    ebc_code: str
    ebc_name: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class InvtCancelReturn:
    """CEB606 cancellation receipt."""

    guid: str
    agent_code: str
    cop_no: str
    pre_no: str
    invt_no: str
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class WayBillHead:
    """CEB607 master/house bill head (清单总分单): binds lists to a master bill."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    customs_code: str
    cop_no: str
    pre_no: str | None = None
    agent_code: str
    agent_name: str
    loct_no: str | None = None
    traf_mode: str
    traf_name: str
    voyage_no: str
    bill_no: str
    domestic_traf_no: str | None = None
    gross_weight: Decimal
    logistics_code: str
    logistics_name: str
    msg_count: int
    msg_seq_no: int
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class WayBillList:
    """One waybill (and optionally its list) bound to the master bill."""

    gnum: int
    total_package_no: str | None = None
    logistics_no: str
    invt_no: str | None = None
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class WayBillReturn:
    """CEB608 master/house bill receipt."""

    guid: str
    agent_code: str
    logistics_code: str
    cop_no: str
    pre_no: str
    bill_no: str
    msg_seq_no: int
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class SummaryApplyHead:
    """CEB701 summary application head (汇总申请单)."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    customs_code: str
    cop_no: str
    pre_no: str | None = None
    sum_no: str | None = None
    agent_code: str
    agent_name: str
    ebc_code: str
    ebc_name: str
    decl_agent_code: str
    decl_agent_name: str
    start_time: str | None = None
    end_time: str | None = None
    loct_no: str | None = None
    summary_flag: str
    item_name_flag: str
    msg_count: int
    msg_seq_no: int
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class SummaryApplyList:
    """One list named in a summary application."""

    invt_no: str


@dataclass(kw_only=True, slots=True)
class SummaryReturn:
    """CEB702 summary application receipt."""

    guid: str
    agent_code: str
    ebc_code: str
    cop_no: str
    pre_no: str
    sum_no: str | None = None
    msg_seq_no: int
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class SummaryResultHead:
    """CEB792 summary result head: one per generated declaration."""

    guid: str
    customs_code: str
    sum_no: str
    op_date: str
    decl_seq_no: str
    dec_tmp_no: str | None = None
    dec_pre_no: str | None = None
    entry_id: str | None = None
    dec_state: str
    agent_code: str
    agent_name: str
    ebc_code: str
    ebc_name: str
    decl_agent_code: str
    decl_agent_name: str
    gross_weight: Decimal
    net_weight: Decimal
    msg_count: int
    msg_seq_no: int
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class SummaryResultList:
    """One list line mapped to its declaration item (gseqno)."""

    invt_no: str
    logistics_no: str
    gseqno: int
    gnum: int
    gcode: str


@dataclass(kw_only=True, slots=True)
class InvtRefundHead:
    """CEB213 export return application head (零售出口退货申请单)."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    customs_code: str
    loct_no: str | None = None
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    co_el_no: str
    pre_no: str | None = None
    invt_no: str
    trade_mode: str | None = None
    agent_code: str
    agent_name: str
    bill_no: str
    ie_flag: str
    traf_mode: str
    traf_name: str
    port_code: str
    reason: str
    country: str
    voyage_no: str
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class InvtRefundList:
    """One returned line of an export return application."""

    gnum: int
    gcode: str
    gname: str
    gmodel: str
    qty: Decimal
    qty1: Decimal
    unit: str
    unit1: str
    qty2: Decimal | None = None
    unit2: str | None = None
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class RefundReturn:
    """CEB214 export return receipt."""

    guid: str
    ebp_code: str | None = None
    ebc_code: str | None = None
    agent_code: str
    co_el_no: str
    pre_no: str | None = None
    invt_no: str
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class InvtRefundDetail:
    """CEB215 return tally detail (退运理货明细单)."""

    guid: str
    app_type: str
    app_time: str
    app_status: str
    customs_code: str
    operator_code: str
    operator_name: str
    logistics_code: str
    logistics_name: str
    logistics_no: str
    invt_no: str | None = None
    co_el_no: str
    pre_no: str | None = None
    bill_no: str
    ie_flag: str
    traf_mode: str
    traf_name: str
    voyage_no: str
    location: str | None = None
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class InvtRefundDetailReturn:
    """CEB216 return tally receipt."""

    guid: str
    operator_code: str
    logistics_code: str
    logistics_no: str
    co_el_no: str
    pre_no: str | None = None
    return_status: str
    return_time: str
    return_info: str


@dataclass(kw_only=True, slots=True)
class BaseTransfer:
    """The transmitting enterprise of a request message."""

    cop_code: str
    cop_name: str
    dxp_mode: str
    dxp_id: str
    note: str | None = None
