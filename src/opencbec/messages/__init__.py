"""CEB message codecs: hardened parsing, XSD validation, decoding and encoding.

Public API:

* :func:`decode_message` — XML / JSON / DxpMsg-wrapped requests to domain aggregates;
* :func:`encode_message` — aggregates or receipt records to XML; :class:`TaxNote` for CEB816;
* :func:`encode_ceb900` — format-validation receipts; :func:`encode_dxp` — DxpMsg envelope;
* :func:`unsigned_signature_placeholder` — **not a signature**, for ``--signatures skip``;
* :class:`MessageRejected` — every refusal, with the table 7-1 code;
* :class:`XmlLimits` — size, depth and element-count limits.
"""

from opencbec.messages.ceb900 import encode_ceb900
from opencbec.messages.decode import decode_message
from opencbec.messages.dxp import encode_dxp
from opencbec.messages.encode import TaxNote, encode_message
from opencbec.messages.errors import MessageRejected
from opencbec.messages.json_form import xml_to_json
from opencbec.messages.safe_xml import XmlLimits
from opencbec.messages.signature import UNSIGNED_SIGNATURE_XML, unsigned_signature_placeholder

__all__ = [
    "UNSIGNED_SIGNATURE_XML",
    "MessageRejected",
    "TaxNote",
    "XmlLimits",
    "decode_message",
    "encode_ceb900",
    "encode_dxp",
    "encode_message",
    "unsigned_signature_placeholder",
    "xml_to_json",
]
