"""The parse floor: read every message and parse it with lxml, touching every element's text.

This is what any implementation must at least do, so batch clearing is measured against it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_floor(files: Sequence[Path]) -> tuple[float, int]:
    """Seconds to read and parse ``files`` (one process), and the number of elements seen."""
    started = time.perf_counter()
    elements = 0
    for path in files:
        root = etree.fromstring(path.read_bytes(), _PARSER)
        for element in root.iter():
            _ = element.text
            elements += 1
    return time.perf_counter() - started, elements
