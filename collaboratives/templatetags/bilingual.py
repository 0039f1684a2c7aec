"""``{{ measure|localized:"operational_definition" }}``: advisors' text in the reader's
language (see ``collaboratives.bilingual``)."""

from django import template

from collaboratives.bilingual import localized as _localized

register = template.Library()


@register.filter
def localized(obj: object, field: str) -> str:
    return _localized(obj, field)
