"""Content in the reader's language: the Chinese text of a record, or its English version.

The catalogue's and the policies' texts are entered in Chinese, each with an English field beside
it named after it with `_en` (`name` / `name_en`, `conditions` / `conditions_en`, …). An English
reader gets the English where it is entered; where it is not, the Chinese, marked so the reader
knows the page is not at fault: the text carries `lang="zh-Hans"` (for screen readers and fonts)
and a small “中文” badge whose accessible name says it is not yet translated. A Chinese reader
always gets the Chinese and never a mark.

`shown(chinese, english)` and `localised(record, field)` choose the text (as `Shown`, a `str` that
knows whether it fell back); `marked(...)` writes it as HTML for the pages, through the template
filters of `portal/templatetags/bilingual.py`. Plain-text places (an `<option>`, an attribute, the
API) use the `Shown` string as it is.
"""

from typing import Any, Literal

from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

Layout = Literal["inline", "lines", "paragraphs"]


class Shown(str):
    """A text as the reader gets it; `untranslated` when English was asked and only Chinese is there."""

    untranslated: bool = False

    def __new__(cls, text: str, untranslated: bool = False) -> "Shown":
        value = super().__new__(cls, text)
        value.untranslated = untranslated
        return value


def english_requested() -> bool:
    """Whether the current request (page or API, by its Accept-Language or chosen language) is in English."""
    return (get_language() or "").startswith("en")


def shown(chinese: str | None, english: str | None) -> Shown:
    """The English when it is asked for and entered; otherwise the Chinese, marked as untranslated for English."""
    chinese, english = chinese or "", english or ""
    if not english_requested():
        return Shown(chinese)
    if english.strip():
        return Shown(english)
    return Shown(chinese, untranslated=bool(chinese.strip()))


def localised(record: Any, field: str) -> Shown:
    """`record.<field>` in the reader's language, from the field and its `<field>_en` twin."""
    return shown(getattr(record, field, ""), getattr(record, f"{field}_en", ""))


def mark() -> SafeString:
    """The badge beside a text shown in Chinese to an English reader."""
    label = _("Not yet translated")
    return format_html(
        '<span class="untranslated-mark" role="img" aria-label="{}" title="{}" style="display:inline-block;'
        "font-size:.75rem;line-height:1.3;padding:0 .3rem;margin-left:.3rem;border:1px solid currentColor;"
        'border-radius:3px;vertical-align:middle;font-weight:normal">中文</span>',
        label, label,
    )


def marked(text: str, layout: Layout = "inline") -> SafeString:
    """`text` as HTML laid out as asked (paragraphs, lines or inline), with the mark if it fell back to Chinese."""
    if layout == "paragraphs":
        body = mark_safe(linebreaks(text, autoescape=True))  # escapes the text itself
    elif layout == "lines":
        body = mark_safe(escape(text).replace("\r\n", "\n").replace("\n", "<br>"))
    else:
        body = escape(text)
    if not getattr(text, "untranslated", False):
        return body
    if layout == "paragraphs":
        return format_html('<div class="untranslated"><p>{}</p><div lang="zh-Hans">{}</div></div>', mark(), body)
    return format_html('<span class="untranslated"><span lang="zh-Hans">{}</span>{}</span>', body, mark())
