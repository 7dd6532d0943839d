"""What each notice says, from the facts it states (`issuing.facts_of`).

The wording follows the Administrative Licensing Law (行政许可法): Art. 32 for acceptance, correction
(一次性告知) and refusal, Art. 38 for the decisions; a refusal and a rejection tell the applicant's
remedies (行政复议 within 60 days, 行政诉讼 within 6 months). The documents are issued in Chinese
(see `kinds.py`).
"""

import datetime
from dataclasses import dataclass, field

from services.applications.notices.models import NoticeKind

REMEDIES = ("如不服本决定，可以自收到本决定书之日起六十日内向丰台区人民政府申请行政复议，"
            "也可以自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。")


@dataclass(frozen=True)
class Wording:
    """The body of a notice: paragraphs, and the numbered items of a correction notice between them."""

    opening: list[str]
    items: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)


def chinese_date(value: str | datetime.date | None) -> str:
    """2026-03-02 → 2026年3月2日 (an ISO date of the facts, or a date)."""
    if not value:
        return "——"
    day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def _filed(facts: dict) -> str:
    return (f"你单位于{chinese_date(facts['received_on'])}提交的“{facts['service']}”申请"
            f"（办件编号：{facts['reference']}）")


def _basis(facts: dict, law: str) -> str:
    """The law the notice applies, and the item's own legal basis after it when the catalogue gives one."""
    own = facts.get("legal_basis", "").strip()
    return f"{law}及{own}" if own else law


def acceptance(facts: dict) -> Wording:
    if facts.get("automatic"):
        how = (f"本机关未在收到申请材料之日起五个工作日内告知补正，根据《中华人民共和国行政许可法》第三十二条第一款"
               f"第（四）项的规定，自收到申请材料之日起即为受理，受理日期为{chinese_date(facts['accepted_on'])}。")
    else:
        how = (f"经审查，申请材料齐全、符合法定形式。根据《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，"
               f"本机关决定予以受理，受理日期为{chinese_date(facts['accepted_on'])}。")
    return Wording(opening=[
        f"{_filed(facts)}，本机关已收悉。",
        how,
        f"本机关将于{chinese_date(facts['decision_due'])}前作出决定（承诺时限），法定期限届满日为"
        f"{chinese_date(facts['statutory_due'])}。办理进度可在先丰港企业服务门户查询。",
    ])


def correction(facts: dict) -> Wording:
    paused = "审查期间补正的，审查时限自本告知书发出之日起中止计算，补正后继续计算。" if facts.get("in_review") else \
        "受理期限自重新提交补正材料之日起重新计算。"
    return Wording(
        opening=[f"{_filed(facts)}，经审查，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》"
                 f"第三十二条第一款第（四）项的规定，现一次性告知你单位需要补正的全部内容如下："],
        items=list(facts.get("items", [])),
        closing=[f"请于{chinese_date(facts['respond_by'])}前补正上述全部内容并重新提交。逾期未补正的，视为撤回申请。",
                 paused],
    )


def refusal(facts: dict) -> Wording:
    return Wording(opening=[
        f"{_filed(facts)}，经审查：{facts['reason']}",
        "根据《中华人民共和国行政许可法》第三十二条第一款的规定，本机关决定不予受理。",
        REMEDIES,
    ])


def approval(facts: dict) -> Wording:
    opening = [
        f"{_filed(facts)}，本机关已于{chinese_date(facts['accepted_on'])}受理。经审查，你单位的申请符合法定条件、标准。",
        f"根据{_basis(facts, '《中华人民共和国行政许可法》第三十八条第一款')}的规定，本机关决定准予行政许可。",
    ]
    deferred = facts.get("deferred", [])
    if deferred:
        opening.append("本决定为容缺审批决定。你单位承诺后补的下列材料，应在规定日期前补齐："
                       + "；".join(f"{row['material']}（{chinese_date(row['due'])}前）" for row in deferred)
                       + "。逾期未补齐的，本机关将依法中止直至撤销本决定。")
    return Wording(opening=opening)


def rejection(facts: dict) -> Wording:
    return Wording(opening=[
        f"{_filed(facts)}，本机关已于{chinese_date(facts['accepted_on'])}受理。经审查：{facts['reason']}",
        f"根据{_basis(facts, '《中华人民共和国行政许可法》第三十八条第二款')}的规定，本机关决定不予行政许可。",
        REMEDIES,
    ])


def commitment_approval(facts: dict) -> Wording:
    return Wording(opening=[
        f"你单位于{chinese_date(facts['received_on'])}申请“{facts['service']}”（办件编号：{facts['reference']}），"
        f"并签署告知承诺书（签署时间：{facts['signed_at']}，SM3 摘要：{facts['commitment_digest']}），"
        "承诺已经符合本机关告知的条件、标准和要求。",
        f"根据{_basis(facts, '《中华人民共和国行政许可法》')}和告知承诺制的有关规定，本机关决定当场准予行政许可。",
        "本机关将依法对你单位的承诺内容进行事后核查。经核查承诺内容与实际情况不符的，本机关将依法撤销本决定，"
        "并将你单位的失信情况记入信用记录。",
    ])


BODIES = {
    NoticeKind.ACCEPTANCE: acceptance,
    NoticeKind.CORRECTION: correction,
    NoticeKind.REFUSAL: refusal,
    NoticeKind.APPROVAL: approval,
    NoticeKind.REJECTION: rejection,
    NoticeKind.COMMITMENT_APPROVAL: commitment_approval,
}


def wording_of(kind: str, facts: dict) -> Wording:
    return BODIES[kind](facts)
