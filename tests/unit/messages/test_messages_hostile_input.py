"""Hostile and malformed input is refused with the right table 7-1 code, never expanded."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from ceb_factories import base_transfer, inventory, order

from opencbec.messages import MessageRejected, XmlLimits, decode_message, encode_dxp, encode_message
from opencbec.messages.safe_xml import MIB


class _Recorder(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b'<!ENTITY leak "LEAKED-VIA-HTTP">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_trap() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server recording every request made to it."""
    hits: ClassVar[list[str]] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def _refused(data: bytes, **kwargs: object) -> MessageRejected:
    with pytest.raises(MessageRejected) as caught:
        decode_message(data, **kwargs)
    return caught.value


def _valid_order() -> bytes:
    return encode_message("CEB311Message", [order()], base_transfer())


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&lol9;</ceb:CEB311Message>"""


def test_billion_laughs_is_refused_as_a_format_error_without_expansion():
    refusal = _refused(BILLION_LAUGHS)
    assert refusal.code == "0001"
    assert "DTD" in refusal.info
    assert "lollol" not in refusal.info


def test_quadratic_blowup_is_refused_as_a_format_error():
    entity = b"A" * 50_000
    data = b'<!DOCTYPE m [<!ENTITY a "' + entity + b'">]><m>' + b"&a;" * 50_000 + b"</m>"
    assert _refused(data).code == "0001"


def test_an_external_file_entity_is_refused_and_never_read():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&xxe;'
        b"</ceb:CEB311Message>"
    )
    refusal = _refused(data)
    assert refusal.code == "0001"
    assert "root:" not in str(refusal)


def test_an_external_dtd_over_http_is_refused_without_any_network_access(http_trap):
    url, hits = http_trap
    data = (
        f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{url}/evil.dtd">'
        f'<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>'
    ).encode()
    assert _refused(data).code == "0001"
    assert hits == []


def test_a_utf16_document_slipping_past_the_byte_scan_is_still_refused_offline(http_trap):
    url, hits = http_trap
    text = (
        f'<?xml version="1.0" encoding="UTF-16"?>'
        f'<!DOCTYPE r [<!ENTITY % ext SYSTEM "{url}/ext.dtd"> %ext;'
        f'<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;&leak;</r>'
    )
    refusal = _refused(text.encode("utf-16"))
    assert refusal.code == "0001"
    assert hits == []
    assert "root:" not in refusal.info
    assert "LEAKED" not in refusal.info


def test_a_message_over_the_size_limit_is_refused_before_parsing():
    data = b"<a>" + b"x" * (10 * MIB) + b"</a>"
    refusal = _refused(data)
    assert refusal.code == "0001"
    assert "limit" in refusal.info
    assert _refused(_valid_order(), limits=XmlLimits(max_bytes=1000)).code == "0001"


def test_nesting_deeper_than_the_limit_is_refused():
    data = b"<a>" * 40 + b"</a>" * 40
    refusal = _refused(data)
    assert refusal.code == "0001"
    assert "deeper than 32" in refusal.info
    assert _refused(b"<a>" * 300 + b"</a>" * 300).code == "0001"


def test_more_elements_than_the_limit_are_refused():
    refusal = _refused(_valid_order(), limits=XmlLimits(max_elements=20))
    assert refusal.code == "0001"
    assert "elements" in refusal.info


def test_invalid_utf8_is_refused_as_a_format_error():
    data = _valid_order().replace("张三".encode(), b"\xff\xfe", 1)
    assert _refused(data).code == "0001"


def test_a_non_utf8_declared_encoding_is_refused():
    data = b'<?xml version="1.0" encoding="ISO-8859-1"?><a>\xff</a>'
    assert _refused(data).code == "0001"


@pytest.mark.parametrize("data", [b"", b"hello", b"<a>", b"   ", b"\x00\x01\x02", b"<a></b>"])
def test_input_that_is_not_xml_is_refused_as_a_format_error(data):
    assert _refused(data).code == "0001"


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"<foo/>", "foo"),
        (b'<x:CEB311Message xmlns:x="urn:other"/>', "CEB311Message"),
        (b'<ceb:CEB312Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>', "CEB312Message"),
        (b'<ceb:CEB999Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>', "CEB999Message"),
    ],
)
def test_an_unsupported_root_is_refused_with_0999_naming_the_type(data, named):
    refusal = _refused(data)
    assert refusal.code == "0999"
    assert named in refusal.info


def test_a_message_with_101_documents_is_refused():
    data = _valid_order().decode()
    start, end = data.index("<ceb:Order>"), data.index("</ceb:Order>") + len("</ceb:Order>")
    many = data[:start] + data[start:end] * 101 + data[end:]
    refusal = _refused(many.encode())
    assert refusal.code == "0999"
    assert "101" in refusal.info
    assert refusal.message_type == "CEB311Message"


def test_a_missing_required_order_number_fails_the_schema_naming_the_field():
    data = _valid_order().decode()
    start = data.index("<ceb:orderNo>")
    end = data.index("</ceb:orderNo>") + len("</ceb:orderNo>")
    refusal = _refused((data[:start] + data[end:]).encode())
    assert refusal.code == "0002"
    assert "orderNo" in refusal.info
    assert "line " in refusal.info
    assert refusal.message_type == "CEB311Message"
    assert refusal.guid is not None


def test_a_too_long_field_fails_the_schema_naming_the_field_and_the_facet():
    document = order()
    document.head.order_no = "N" * 61
    refusal = _refused(encode_message("CEB311Message", [document], base_transfer()))
    assert refusal.code == "0002"
    assert "orderNo" in refusal.info
    assert "maxLength" in refusal.info


def test_a_list_without_signature_passes_only_when_signatures_are_not_required():
    data = encode_message("CEB621Message", [inventory()], base_transfer())
    assert decode_message(data, require_signature=False).documents == [inventory()]
    refusal = _refused(data, require_signature=True)
    assert refusal.code == "0002"
    assert "Signature" in refusal.info


def test_bad_base64_in_a_dxp_envelope_is_a_format_error_carrying_the_cop_msg_id():
    data = encode_dxp(b"<x/>", "CEB311Message", "S", "R", "COP-9")
    data = data.replace(base64.b64encode(b"<x/>"), b"@@not base64@@")
    refusal = _refused(data)
    assert refusal.code == "0001"
    assert refusal.cop_msg_id == "COP-9"


def test_hostile_xml_inside_a_dxp_envelope_is_refused_with_the_cop_msg_id():
    data = encode_dxp(BILLION_LAUGHS, "CEB311Message", "S", "R", "COP-10")
    refusal = _refused(data)
    assert (refusal.code, refusal.cop_msg_id) == ("0001", "COP-10")


def test_the_inner_message_of_a_dxp_envelope_obeys_the_same_size_limit():
    inner = _valid_order()
    data = encode_dxp(inner, "CEB311Message", "S", "R", "COP-11")
    limits = XmlLimits(max_bytes=len(data))
    assert decode_message(data, limits=limits).envelope.cop_msg_id == "COP-11"
    assert _refused(data, limits=XmlLimits(max_bytes=len(inner) - 1)).code == "0001"


def test_a_dxp_msg_type_that_does_not_match_the_business_message_is_refused():
    data = encode_dxp(_valid_order(), "CEB621Message", "S", "R", "COP-12")
    refusal = _refused(data)
    assert refusal.code == "0999"
    assert "MsgType" in refusal.info


def test_a_dxp_envelope_breaking_ceb_terminal_xsd_fails_the_schema():
    data = encode_dxp(_valid_order(), "CEB311Message", "S" * 17, "R", "COP-13")
    refusal = _refused(data)
    assert refusal.code == "0002"
    assert "SenderId" in refusal.info


def test_a_dxp_envelope_inside_a_dxp_envelope_is_refused():
    inner = encode_dxp(_valid_order(), "CEB311Message", "S", "R", "COP-14")
    data = encode_dxp(inner, "CEB311Message", "S", "R", "COP-15")
    assert _refused(data).code == "0999"


@pytest.mark.parametrize(
    "data",
    [
        b"{",
        b'{"CEB311Message": {"guid": "a", "guid": "b"}}',
        b'{"CEB311Message": {"Order": [{"OrderHead": {"freight": NaN}}]}}',
        b'{"CEB311Message": {"note": "\xff"}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50 + b"1" + b"}" * 50,
    ],
    ids=["truncated", "duplicate-member", "nan", "bad-utf8", "array-bomb", "too-deep"],
)
def test_bad_json_is_refused_as_a_format_error(data):
    assert _refused(data).code == "0001"


def test_a_json_document_naming_an_unsupported_type_is_refused_with_0999():
    refusal = _refused(json.dumps({"CEB312Message": {"guid": "x"}}).encode())
    assert refusal.code == "0999"
    assert "CEB312Message" in refusal.info
    assert _refused(b'{"a": {}, "b": {}}').code == "0999"


def test_json_member_names_that_are_not_element_names_fail_the_schema():
    refusal = _refused(b'{"CEB311Message": {"guid": "x", "not a name": "1"}}')
    assert refusal.code == "0002"
    assert "not a name" in refusal.info


def test_schemas_built_by_several_threads_at_once_are_one_and_valid() -> None:
    """libxml2 refuses concurrent schema builds; the builders serialise them (first use by a server)."""
    import threading

    from opencbec.messages import schema

    for builder in (schema._import_schema, schema._export_schema, schema._terminal_schema):
        builder.cache_clear()
    results: list[object] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            results.extend([schema.import_schema(False), schema.export_schema(), schema.terminal_schema()])
        except BaseException as exc:  # the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 24
    assert len({id(r) for r in results}) == 3
