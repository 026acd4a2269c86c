"""Compact pickling of decoded documents, for the trip from a decoding worker to the clearing process.

``cbec clear --workers N`` decodes messages in worker processes and sends the decoded messages back
pickled. Python pickles a slotted dataclass as its class plus a dict of every slot's name and value,
and rebuilds it by setting them one by one; for a decoded list (a head of some 40 fields and its
goods lines) that cost more than the decoding saved the clearing process. Importing this module
registers (``copyreg``) a smaller form for every record and document class of the CEB messages: the
tuple of its field values, rebuilt by a function generated for its class that assigns them in field
order. Measured on 600 message files of the benchmark traffic (ad hoc, docs/performance.md): per
document 24 → 14 µs to pickle and 14 → 10 µs to unpickle, 746 → 607 bytes.

The objects rebuilt equal the originals, with the same classes and field values (tested for every
registered class). Frozen dataclasses are left to the default (they cannot be assigned to).
"""

from __future__ import annotations

import copyreg
import dataclasses
from collections.abc import Callable, Iterable
from operator import attrgetter
from types import ModuleType
from typing import Any

from opencbec.domain import ceb_export_records, ceb_records, documents
from opencbec.export import documents as export_documents
from opencbec.store.record_arrays import field_assigner

#: The modules whose dataclasses get the compact form.
MODULES: tuple[ModuleType, ...] = (ceb_records, ceb_export_records, documents, export_documents)
#: The classes registered, with their field names (in the order of the pickled tuple).
REGISTERED: dict[type[Any], tuple[str, ...]] = {}


def _classes(modules: Iterable[ModuleType]) -> Iterable[type[Any]]:
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and dataclasses.is_dataclass(value)
                and not value.__dataclass_params__.frozen  # type: ignore[attr-defined]
            ):
                yield value


def _maker(cls: type[Any], names: tuple[str, ...]) -> Callable[[tuple[Any, ...]], Any]:
    """``make(values)``: a new ``cls`` (no ``__init__``) with ``names`` set to ``values`` in order."""
    make = field_assigner(cls, names)
    # a module attribute, so that pickle can name it and the unpickling process import it
    make.__name__ = make.__qualname__ = "_make_" + f"{cls.__module__}.{cls.__qualname__}".replace(".", "_")
    make.__module__ = __name__
    return make


def _reducer(
    make: Callable[[tuple[Any, ...]], Any], names: tuple[str, ...]
) -> Callable[[Any], tuple[Any, ...]]:
    get = attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (make, ((get(obj),),))
    return lambda obj: (make, (get(obj),))


def register(modules: Iterable[ModuleType] = MODULES) -> None:
    """Register the compact form of every non-frozen dataclass defined in ``modules``."""
    for cls in _classes(modules):
        if cls in REGISTERED:
            continue
        names = tuple(f.name for f in dataclasses.fields(cls))
        if not names:
            continue  # nothing to gain (and attrgetter needs a name)
        make = _maker(cls, names)
        if make.__name__ in globals():
            raise ValueError(f"two classes would share the pickle maker {make.__name__}")
        globals()[make.__name__] = make
        copyreg.pickle(cls, _reducer(make, names))
        REGISTERED[cls] = names


register()
