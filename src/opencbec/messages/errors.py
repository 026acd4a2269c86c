"""Why a message was refused, with the official transport codes (spec 2022, table 7-1).

A refused message is answered with a CEB900 receipt whose ``returnStatus`` is the code and
whose ``returnInfo`` is ``[Code:nnnn;Desc:...] <detail>``.
"""

from __future__ import annotations

#: Not well-formed XML/JSON, DTD or entity declarations, too big or too deep, bad Base64.
FORMAT_ERROR = "0001"
#: The business message does not satisfy the official XSD.
SCHEMA_ERROR = "0002"
#: Any other format error: unsupported message type, too many documents, envelope mismatch.
OTHER_ERROR = "0999"
#: Invalid digital signature (here: the OpenCBEC placeholder when signatures are required).
SIGNATURE_INVALID = "1001"

#: Official descriptions of the codes (table 7-1).
DESCRIPTIONS: dict[str, str] = {
    FORMAT_ERROR: "报文格式错误",
    SCHEMA_ERROR: "数据包不能通过schema验证",
    OTHER_ERROR: "其他格式错误",
    SIGNATURE_INVALID: "数字签名无效",
    "1002": "数字签名过期",
    "1004": "签名与数据不符",
    "1999": "其他安全错误",
    "3001": "数据库、中间件等系统错误",
}


class MessageRejected(Exception):  # noqa: N818 - the name is part of the public API
    """A message refused before any business processing.

    ``code`` is one of :data:`FORMAT_ERROR`, :data:`SCHEMA_ERROR`, :data:`OTHER_ERROR`,
    :data:`SIGNATURE_INVALID`;
    ``info`` names the element or field and the rule it broke. ``message_type``, ``guid``
    and ``cop_msg_id`` are filled in as far as they could be read.
    """

    def __init__(
        self,
        code: str,
        info: str,
        message_type: str | None = None,
        guid: str | None = None,
        cop_msg_id: str | None = None,
    ) -> None:
        super().__init__(code, info)
        self.code = code
        self.info = info
        self.message_type = message_type
        self.guid = guid
        self.cop_msg_id = cop_msg_id

    @property
    def description(self) -> str:
        """The official description of :attr:`code`."""
        return DESCRIPTIONS.get(self.code, DESCRIPTIONS[OTHER_ERROR])

    def return_info(self) -> str:
        """``returnInfo`` text for a CEB900 receipt.

        >>> MessageRejected("0002", "orderNo missing").return_info()
        '[Code:0002;Desc:数据包不能通过schema验证] orderNo missing'
        """
        return f"[Code:{self.code};Desc:{self.description}] {self.info}"

    def __str__(self) -> str:
        return f"[{self.code}] {self.info}"
