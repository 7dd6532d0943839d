"""Filters that show a record's text in the reader's language, marked where it falls back to Chinese.

`{{ item|bilingual:"conditions" }}` reads `item.conditions` and `item.conditions_en`;
`{{ text|bilingual }}` writes a text already chosen by `portal.core.bilingual.shown` (a `Shown`).
`bilingual_lines` keeps the line breaks, `bilingual_paragraphs` makes paragraphs of them.
"""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from portal.core.bilingual import Layout, localised, marked

register = template.Library()


def _render(value: Any, field: str | None, layout: Layout) -> SafeString:
    if value is None or value == "":
        return marked("", layout)
    text = localised(value, field) if field else value
    return marked(text if isinstance(text, str) else str(text), layout)


@register.filter
def bilingual(value: Any, field: str | None = None) -> SafeString:
    return _render(value, field, "inline")


@register.filter
def bilingual_lines(value: Any, field: str | None = None) -> SafeString:
    return _render(value, field, "lines")


@register.filter
def bilingual_paragraphs(value: Any, field: str | None = None) -> SafeString:
    return _render(value, field, "paragraphs")
