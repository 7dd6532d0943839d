"""The PDF of a notice (reportlab), in Noto Sans SC embedded, with its QR code (segno).

The font comes with the `justmytype-intl-cjk` package from PyPI (SIL Open Font License), so the PDF
needs nothing installed on the machine and shows the same everywhere: reportlab embeds the subset
of glyphs used. It is a variable font whose default outlines are thin; text is filled and stroked
with a hairline so the print reads as a regular weight. The QR code is drawn as vector squares.
"""

import functools
import io
from importlib.resources import files
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus.flowables import KeepTogether

from services.applications.notices.codes import grouped
from services.applications.notices.wording import Wording

FONT = "NotoSansSC"
FONT_FILE = ("justmytype_intl_cjk", "fonts/ofl/notosanssc/NotoSansSC[wght].ttf")
QR_SIZE = 30 * mm
MARGIN = 25 * mm


@functools.cache
def register_font() -> str:
    """Register the CJK font with reportlab once per process; its name."""
    package, path = FONT_FILE
    pdfmetrics.registerFont(TTFont(FONT, str(files(package).joinpath(path))))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=register_font(), fontSize=12, leading=22, wordWrap="CJK")
    return {
        "department": ParagraphStyle("department", parent=base, fontSize=15, leading=24, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontSize=22, leading=32, alignment=TA_CENTER),
        "reference": ParagraphStyle("reference", parent=base, fontSize=11, alignment=TA_CENTER),
        "addressee": base,
        "body": ParagraphStyle("paragraph", parent=base, firstLineIndent=24),
        "item": ParagraphStyle("item", parent=base, leftIndent=24, firstLineIndent=-12),
        "signature": ParagraphStyle("signature", parent=base, alignment=TA_RIGHT),
        "note": ParagraphStyle("note", parent=base, fontSize=9, leading=14, textColor=colors.HexColor("#444444")),
    }


def _text(value: str) -> str:
    """Plain text for a Paragraph, which reads a little markup: <, > and & are escaped."""
    return escape(value)


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code of `url` as filled squares, `size` wide with its lower left corner at (x, y)."""
    qr = segno.make(url, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=0)]
    module = size / len(rows)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            canvas.rect(x + start * module, y + size - (r + 1) * module, (c - start) * module, module,
                        stroke=0, fill=1)
    canvas.restoreState()


def render(*, title: str, facts: dict, wording: Wording, code: str, url: str) -> bytes:
    """The notice as PDF bytes."""
    styles = _styles()
    width, height = A4

    def page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        if canvas.getPageNumber() == 1:
            _draw_qr(canvas, url, width - MARGIN - QR_SIZE, height - 12 * mm - QR_SIZE, QR_SIZE)
            canvas.setFont(FONT, 8)
            canvas.drawCentredString(width - MARGIN - QR_SIZE / 2, height - 16 * mm - QR_SIZE, f"验证码 {grouped(code)}")
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(width / 2, 12 * mm, f"{facts['reference']} · {title} · 第 {canvas.getPageNumber()} 页")
        # Fill and stroke every glyph that follows with a hairline: the thin default outlines read as regular.
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.3)
        canvas.addLiteral("2 Tr")

    story = [
        Spacer(1, 22 * mm),  # below the QR code in the upper right corner
        Paragraph(_text(facts["department"]), styles["department"]),
        Paragraph(_text(title), styles["title"]),
        Paragraph(_text(f"编号：{facts['reference']}"), styles["reference"]),
        Spacer(1, 8 * mm),
        Paragraph(_text(f"{facts['enterprise']}（统一社会信用代码：{facts['uscc']}）："), styles["addressee"]),
    ]
    story += [Paragraph(_text(text), styles["body"]) for text in wording.opening]
    story += [Paragraph(_text(f"{number}. {item}"), styles["item"]) for number, item in enumerate(wording.items, 1)]
    story += [Paragraph(_text(text), styles["body"]) for text in wording.closing]
    basis = facts.get("legal_basis", "").strip()
    if basis and not any(basis in text for text in wording.opening + wording.closing):  # the decisions cite it
        story.append(Paragraph(_text(f"事项设定依据：{basis}"), styles["body"]))
    story += [
        Spacer(1, 12 * mm),
        KeepTogether([
            Paragraph(_text(facts["department"]), styles["signature"]),
            Paragraph(_text(facts["issued_on_text"]), styles["signature"]),
        ]),
        Spacer(1, 14 * mm),
        Paragraph(_text(f"本文书为电子文书，由先丰港企业服务门户依审批记录生成。扫描右上角二维码，或访问 {url} ，"
                        f"可核验本文书的真伪及效力（验证码 {grouped(code)}）。"), styles["note"]),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=20 * mm, bottomMargin=22 * mm,
        title=f"{title} {facts['reference']}", author=facts["department"], subject=grouped(code),
        creator="先丰港", invariant=True,
    )
    document.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()
