"""The *unsigned* ``ds:Signature`` placeholder.

**Not a signature.** CEB621/623/625 require a ``ds:Signature`` element by XSD. Until real
XML-DSig signing exists, test traffic carries this placeholder: structurally valid against
``xmldsig-core-schema.xsd`` (C14N, rsa-sha1, one enveloped Reference with a sha1 digest of
zeros, a SignatureValue of zeros, ``KeyInfo/KeyName`` = ``UNSIGNED``). It is only accepted
when signatures are not required (``--signatures skip`` / ``require_signature=False``);
:func:`opencbec.messages.decode.decode_message` reports it as unsigned and, when a signature
is required, refuses it with code 1001 (数字签名无效).
"""

from __future__ import annotations

import base64

from lxml import etree

from opencbec.messages.schema import DS_NS

PLACEHOLDER_KEY_NAME = "UNSIGNED"

_ZERO_DIGEST = base64.b64encode(bytes(20)).decode("ascii")  # sha1 length
_ZERO_SIGNATURE = base64.b64encode(bytes(128)).decode("ascii")  # RSA-1024 length

#: The placeholder as XML text (declares the ``ds`` prefix itself).
UNSIGNED_SIGNATURE_XML = (
    f'<ds:Signature xmlns:ds="{DS_NS}">'
    "<ds:SignedInfo>"
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
    f'<ds:SignatureMethod Algorithm="{DS_NS}rsa-sha1"/>'
    '<ds:Reference URI="">'
    f'<ds:Transforms><ds:Transform Algorithm="{DS_NS}enveloped-signature"/></ds:Transforms>'
    f'<ds:DigestMethod Algorithm="{DS_NS}sha1"/>'
    f"<ds:DigestValue>{_ZERO_DIGEST}</ds:DigestValue>"
    "</ds:Reference>"
    "</ds:SignedInfo>"
    f"<ds:SignatureValue>{_ZERO_SIGNATURE}</ds:SignatureValue>"
    f"<ds:KeyInfo><ds:KeyName>{PLACEHOLDER_KEY_NAME}</ds:KeyName></ds:KeyInfo>"
    "</ds:Signature>"
)

_KEY_NAME = f"{{{DS_NS}}}KeyInfo/{{{DS_NS}}}KeyName"


def unsigned_signature_placeholder() -> etree._Element:
    """A fresh placeholder ``ds:Signature`` element (not a signature, see module doc)."""
    return etree.fromstring(UNSIGNED_SIGNATURE_XML)


def is_placeholder(signature: etree._Element) -> bool:
    """True if a ``ds:Signature`` element is the OpenCBEC unsigned placeholder."""
    key_name = signature.findtext(_KEY_NAME)
    return key_name is not None and key_name.strip() == PLACEHOLDER_KEY_NAME
