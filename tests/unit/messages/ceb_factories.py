"""Realistic CEB records for the message codec tests (values fit the XSD facets)."""

from __future__ import annotations

from decimal import Decimal

from opencbec.domain.ceb_records import (
    BaseTransfer,
    InventoryHead,
    InventoryList,
    InventoryReturn,
    InvtCancel,
    InvtCancelReturn,
    InvtRefundHead,
    InvtRefundList,
    InvtRefundReturn,
    LogisticsHead,
    LogisticsReturn,
    OrderHead,
    OrderList,
    OrderReturn,
    PaymentHead,
    PaymentReturn,
    TaxHeadRd,
    TaxListRd,
)
from opencbec.domain.documents import Cancel, Inventory, Order, Payment, Refund, Waybill
from opencbec.messages.encode import TaxNote

GUID = "0A1B2C3D-4E5F-4071-8293-A4B5C6D7E8F9"
RETURN_TIME = "20240611093015123"  # yyyyMMddHHmmssSSS, 17 chars
PRE_NO = "B20240611494000227"  # 18 chars
INVT_NO = "29242024I439440284"  # 18 chars
EBP = "3301960000"
EBC = "3301960001"
CARRIER = "3301980002"
AGENT = "3301960003"


def base_transfer() -> BaseTransfer:
    return BaseTransfer(cop_code=EBP, cop_name="杭州示例跨境平台", dxp_mode="DXP", dxp_id="DXPENT0000000001")


def order(n: int = 1, lines: int = 2) -> Order:
    head = OrderHead(
        guid=GUID,
        app_type="1",
        app_time="20240611093015",
        app_status="2",
        order_type="I",
        order_no=f"ORD2024061100{n:04d}",
        ebp_code=EBP,
        ebp_name="杭州示例跨境平台",
        ebc_code=EBC,
        ebc_name="示例电商企业",
        goods_value=Decimal("298.00"),
        freight=Decimal("0"),
        discount=Decimal("10.5"),
        tax_total=Decimal("26.21"),
        actural_paid=Decimal("313.71"),
        currency="142",
        buyer_reg_no="buyer-0001",
        buyer_name="张三",
        buyer_telephone="13800138000",
        buyer_id_type="1",
        buyer_id_number="110101199003078515",
        pay_code="3301960004",
        pay_name="示例支付公司",
        pay_transaction_id=f"PAY2024061100{n:04d}",
        consignee="张三",
        consignee_telephone="13800138000",
        consignee_address="浙江省杭州市西湖区文三路1号 <A&B> 座",
        consignee_district="330106",
    )
    items = [
        OrderList(
            gnum=i,
            item_no=f"SKU-{i}",
            item_name="婴儿配方奶粉",
            gmodel="900g/罐",
            unit="122",
            qty=Decimal("1"),
            price=Decimal("149"),
            total_price=Decimal("149"),
            currency="142",
            country="601",
        )
        for i in range(1, lines + 1)
    ]
    return Order(head=head, lines=items)


def payment(n: int = 1) -> Payment:
    return Payment(
        head=PaymentHead(
            guid=GUID,
            app_type="1",
            app_time="20240611093015",
            app_status="2",
            pay_code="3301960004",
            pay_name="示例支付公司",
            pay_transaction_id=f"PAY2024061100{n:04d}",
            order_no=f"ORD2024061100{n:04d}",
            ebp_code=EBP,
            ebp_name="杭州示例跨境平台",
            payer_id_type="1",
            payer_id_number="110101199003078515",
            payer_name="张三",
            telephone="13800138000",
            amount_paid=Decimal("313.71"),
            currency="142",
            pay_time="20240611092900",
        )
    )


def waybill(n: int = 1) -> Waybill:
    return Waybill(
        head=LogisticsHead(
            guid=GUID,
            app_type="1",
            app_time="20240611093015",
            app_status="2",
            logistics_code=CARRIER,
            logistics_name="示例物流",
            logistics_no=f"SF2024061100{n:04d}",
            order_no=f"ORD2024061100{n:04d}",
            freight=Decimal("12.5"),
            currency="142",
            weight=Decimal("1.25"),
            pack_no=1,
            consignee="张三",
            consignee_address="浙江省杭州市西湖区文三路1号",
            consignee_telephone="13800138000",
        )
    )


def inventory(n: int = 1, lines: int = 2) -> Inventory:
    head = InventoryHead(
        guid=GUID,
        app_type="1",
        app_time="20240611093015",
        app_status="2",
        order_no=f"ORD2024061100{n:04d}",
        ebp_code=EBP,
        ebp_name="杭州示例跨境平台",
        ebc_code=EBC,
        ebc_name="示例电商企业",
        logistics_no=f"SF2024061100{n:04d}",
        logistics_code=CARRIER,
        logistics_name="示例物流",
        cop_no=f"COP2024{n:04d}",
        assure_code=EBC,
        ems_no="T2924W000001",
        ie_flag="I",
        decl_time="20240611",
        customs_code="2924",
        port_code="2924",
        buyer_id_type="1",
        buyer_id_number="110101199003078515",
        buyer_name="张三",
        buyer_telephone="13800138000",
        consignee_address="浙江省杭州市西湖区文三路1号",
        agent_code=AGENT,
        agent_name="示例报关行",
        area_code=AGENT,
        area_name="示例仓储",
        trade_mode="1210",
        traf_mode="4",
        country="601",
        freight=Decimal("0"),
        insured_fee=Decimal("0"),
        currency="142",
        pack_no=1,
        gross_weight=Decimal("1.25"),
        net_weight=Decimal("0.9"),
    )
    items = [
        InventoryList(
            gnum=i,
            item_record_no="ITEM0001",
            item_no=f"SKU-{i}",
            item_name="婴儿配方奶粉",
            gcode="1901101000",
            gname="婴儿配方奶粉",
            gmodel="900g/罐",
            country="601",
            currency="142",
            qty=Decimal("1"),
            unit="122",
            qty1=Decimal("0.9"),
            unit1="035",
            price=Decimal("149"),
            total_price=Decimal("149"),
        )
        for i in range(1, lines + 1)
    ]
    return Inventory(head=head, lines=items)


def cancel(n: int = 1) -> Cancel:
    return Cancel(
        head=InvtCancel(
            guid=GUID,
            app_type="1",
            app_time="20240611093015",
            app_status="2",
            customs_code="2924",
            order_no=f"ORD2024061100{n:04d}",
            ebp_code=EBP,
            ebp_name="杭州示例跨境平台",
            ebc_code=EBC,
            ebc_name="示例电商企业",
            logistics_no=f"SF2024061100{n:04d}",
            logistics_code=CARRIER,
            logistics_name="示例物流",
            invt_no=INVT_NO,
            buyer_id_type="1",
            buyer_id_number="110101199003078515",
            buyer_name="张三",
            buyer_telephone="13800138000",
            agent_code=AGENT,
            agent_name="示例报关行",
            reason="消费者取消订单",
        )
    )


def refund(n: int = 1, lines: int = 1) -> Refund:
    head = InvtRefundHead(
        guid=GUID,
        app_type="1",
        app_time="20240611093015",
        app_status="2",
        customs_code="2924",
        order_no=f"ORD2024061100{n:04d}",
        ebp_code=EBP,
        ebp_name="杭州示例跨境平台",
        ebc_code=EBC,
        ebc_name="示例电商企业",
        logistics_no=f"SF2024061100{n:04d}",
        logistics_code=CARRIER,
        logistics_name="示例物流",
        pre_no=PRE_NO,
        invt_no=INVT_NO,
        buyer_id_type="1",
        buyer_id_number="110101199003078515",
        buyer_name="张三",
        buyer_telephone="13800138000",
        agent_code=AGENT,
        agent_name="示例报关行",
        reason="商品破损",
    )
    items = [
        InvtRefundList(gnum=i, gcode="1901101000", gname="婴儿配方奶粉", qty=Decimal("1"), unit="122")
        for i in range(1, lines + 1)
    ]
    return Refund(head=head, lines=items)


#: One factory per request type.
REQUEST_FACTORIES = {
    "CEB311Message": order,
    "CEB411Message": payment,
    "CEB511Message": waybill,
    "CEB621Message": inventory,
    "CEB623Message": cancel,
    "CEB625Message": refund,
}
SIGNED_TYPES = ("CEB621Message", "CEB623Message", "CEB625Message")


def receipts() -> dict[str, list[object]]:
    """One realistic receipt per receipt type."""
    common = {"guid": GUID, "return_time": RETURN_TIME}
    return {
        "CEB312Message": [
            OrderReturn(
                **common,
                ebp_code=EBP,
                ebc_code=EBC,
                order_no="ORD20240611000001",
                return_status="120",
                return_info="[Code:1800;Desc:逻辑校验通过]",
            )
        ],
        "CEB412Message": [
            PaymentReturn(
                **common,
                pay_code="3301960004",
                pay_transaction_id="PAY20240611000001",
                return_status="2",
                return_info="[Code:9001;Desc:四单不齐，等待超时]",
            )
        ],
        "CEB512Message": [
            LogisticsReturn(
                **common,
                logistics_code=CARRIER,
                logistics_no="SF20240611000001",
                return_status="120",
                return_info="[Code:1800;Desc:逻辑校验通过]",
            )
        ],
        "CEB622Message": [
            InventoryReturn(
                **common,
                customs_code="2924",
                ebp_code=EBP,
                ebc_code=EBC,
                agent_code=AGENT,
                cop_no="COP20240001",
                pre_no=PRE_NO,
                invt_no=INVT_NO,
                return_status="800",
                return_info="[Code:2600;Desc:放行]",
            )
        ],
        "CEB624Message": [
            InvtCancelReturn(
                **common,
                customs_code="2924",
                agent_code=AGENT,
                ebp_code=EBP,
                ebc_code=EBC,
                cop_no="COP20240001",
                pre_no=PRE_NO,
                invt_no=INVT_NO,
                return_status="399",
                return_info="[Code:2300;Desc:审核通过]",
            )
        ],
        "CEB626Message": [
            InvtRefundReturn(
                **common,
                customs_code="2924",
                agent_code=AGENT,
                ebp_code=EBP,
                ebc_code=EBC,
                cop_no="COP20240001",
                pre_no=PRE_NO,
                invt_no=INVT_NO,
                return_status="100",
                return_info="[Code:9020;Desc:退货申请超过放行后30天期限] 放行日期 20240401",
            )
        ],
    }


def tax_note(lines: int) -> TaxNote:
    head = TaxHeadRd(
        guid=GUID,
        return_time=RETURN_TIME,
        invt_no=INVT_NO,
        tax_no=INVT_NO + "_0",
        customs_tax=Decimal("0"),
        value_added_tax=Decimal("26.21"),
        consumption_tax=Decimal("0"),
        status="1",
        assure_code=EBC,
        ebc_code=EBC,
        logistics_code=CARRIER,
        agent_code=AGENT,
        customs_code="2924",
    )
    items = [
        TaxListRd(
            gnum=i,
            gcode="1901101000",
            tax_price=Decimal("149"),
            customs_tax=Decimal("0"),
            value_added_tax=Decimal("13.104"),
            consumption_tax=Decimal("0"),
        )
        for i in range(1, lines + 1)
    ]
    return TaxNote(head=head, lines=items)
