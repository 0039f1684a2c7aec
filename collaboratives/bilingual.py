"""Text that advisors write in two languages (measure names, definitions, the driver
diagram): the Spanish version is shown when the reader uses the portal in Spanish and it has
been written; otherwise the original. One rule, used by models, templates and exports."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import get_language


def in_spanish() -> bool:
    """Whether the active language (the reader's) is Spanish."""
    return (get_language() or "").lower().startswith("es")


def localized(obj: object, field: str) -> str:
    """``obj.<field>_es`` when the reader reads Spanish and it is filled in, else ``obj.<field>``
    (``obj`` may also be a mapping: a change package's items are dicts)."""
    def read(name: str) -> str:
        if isinstance(obj, Mapping):
            return obj.get(name, "")
        return getattr(obj, name, "")

    if in_spanish():
        spanish = read(f"{field}_es")
        if spanish:
            return spanish
    return read(field)
