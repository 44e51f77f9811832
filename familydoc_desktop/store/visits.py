"""Follow-up visits (随访 / 履约服务记录): record with checks, suggest the classification,
prompt referrals, and re-evaluate the ledger after every visit.

Visits are clinical records: a correction is a new row with `supersedes_id`, never an edit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text
from sqlmodel import Session, select

from familydoc_desktop.domain import checkup as checkup_rules, followup, mental as mental_rules
from familydoc_desktop.domain.codes import (
    VISIT_KIND_ZH, MentalClass, VisitClass, VisitKind, VisitMethod, label, visit_class_label,
)
from familydoc_desktop.domain.dates import age_on, parse_date
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import FollowupVisit, LedgerAssessment
from familydoc_desktop.domain.selfcare import ITEMS as SELFCARE_ITEMS, selfcare_total
from familydoc_desktop.domain.vitals import require_valid_vitals
from familydoc_desktop.rulesets import load_ruleset
from familydoc_desktop.store import ledger
from familydoc_desktop.store.residents import require_resident

PHONE_ELDERLY_WARNING = "电话访视不计入80岁以上老人年度面对面或入户访视"


@dataclass
class VisitOutcome:
    visit: FollowupVisit
    suggested_class: VisitClass | MentalClass | None = None
    urgent_reasons: list[str] = field(default_factory=list)
    referral_prompt: bool = False  # two consecutive unsatisfactory follow-ups
    warnings: list[str] = field(default_factory=list)
    assessment: LedgerAssessment | None = None


def visits_ruleset(session: Session) -> dict:
    from familydoc_desktop.store.settings import get_setting
    return load_ruleset(get_setting(session, "visits_ruleset") or "visits_default")


def _enum(value, enum, what: str):
    if value not in set(enum):
        raise DomainError(what, f"{_WHAT_ZH[what]}无效：{value}")
    return enum(value)


_WHAT_ZH = {"visit_kind": "随访类型", "visit_method": "随访方式", "visit_class": "随访分类"}


def _current_classes(session: Session, resident_id: str, kind: str, before: date) -> list[VisitClass]:
    """Classes of the current (not superseded) visits of a kind up to `before`, oldest first."""
    rows = session.execute(text(
        "SELECT v.visit_class FROM followup_visit v WHERE v.resident_id = :rid AND v.kind = :kind"
        f" AND v.deleted = 0 AND v.visit_date <= :d{ledger.NOT_SUPERSEDED}"
        " ORDER BY v.visit_date, v.id"),
        {"rid": resident_id, "kind": kind, "d": before.isoformat()}).all()
    return [VisitClass(r[0]) for r in rows if r[0] in set(VisitClass)]


def record_followup(session: Session, *, resident_id: str, kind, visit_date, method,
                    sbp=None, dbp=None, heart_rate=None, weight=None, height=None,
                    fasting_glucose=None, adverse_reaction: bool = False,
                    new_complication: bool = False, visit_class=None, selfcare: dict | None = None,
                    symptoms: str | None = None, medication_adherence: str | None = None,
                    doctor_id: str | None = None, note: str | None = None,
                    supersedes_id: str | None = None, referral: bool = False,
                    referral_reason: str | None = None,
                    mental: mental_rules.MentalAssessment | dict | None = None,
                    lifestyle: str | None = None, findings: str | None = None,
                    conclusion: str | None = None, health_advice: str | None = None,
                    today: date | None = None) -> VisitOutcome:
    """Record one follow-up. For a severe mental disorder visit, `mental` (risk level and the
    four aspects of the NBPHS-3 form) gives the suggested stability class; `visit_class` may
    set it directly. A health check-up (kind checkup) takes blood pressure, the other vitals,
    lifestyle, findings, its conclusion (健康评价) and advice (domain/checkup.py)."""
    resident = require_resident(session, resident_id)
    today = today or date.today()
    kind = _enum(kind, VisitKind, "visit_kind")
    method = _enum(method, VisitMethod, "visit_method")
    vdate = parse_date(visit_date)
    if vdate > today:
        raise DomainError("visit_future", "随访日期不能晚于今天")
    if resident.birth_date and vdate < resident.birth_date:
        raise DomainError("visit_date", "随访日期不能早于出生日期")
    warnings = [i.message for i in require_valid_vitals(
        sbp=sbp, dbp=dbp, fasting_glucose=fasting_glucose, heart_rate=heart_rate,
        weight=weight, height=height)]
    classes = MentalClass if kind == VisitKind.SEVERE_MENTAL else VisitClass
    chosen = _enum(visit_class, classes, "visit_class") if visit_class else None
    if isinstance(mental, dict):
        mental = mental_rules.MentalAssessment(**mental)
    if kind == VisitKind.SEVERE_MENTAL and mental is None and chosen is None:
        raise DomainError("mental_class", "严重精神障碍随访须填写危险性评估或选择本次随访分类")
    scores = {}
    if selfcare:
        unknown = set(selfcare) - set(SELFCARE_ITEMS)
        if unknown or set(selfcare) != set(SELFCARE_ITEMS):
            raise DomainError("selfcare", "生活自理能力评估须填写进餐、梳洗、穿衣、如厕、活动五项")
        scores = dict(selfcare)
    total = selfcare_total(**scores) if scores else None
    if kind == VisitKind.HYPERTENSION and (sbp is None or dbp is None):
        raise DomainError("bp_required", "高血压随访须填写收缩压和舒张压")
    if kind == VisitKind.DIABETES and fasting_glucose is None:
        raise DomainError("glucose_required", "糖尿病随访须填写空腹血糖")
    lifestyle, findings, health_advice = (
        (t.strip() or None) if isinstance(t, str) else t
        for t in (lifestyle, findings, health_advice))
    misplaced = checkup_rules.checkup_extra_fields_error(
        kind, lifestyle=lifestyle, findings=findings, conclusion=conclusion,
        health_advice=health_advice)
    if misplaced is not None:
        raise misplaced
    if kind == VisitKind.CHECKUP:
        if method == VisitMethod.PHONE:
            raise DomainError("checkup_method", "健康体检须在门诊或入户进行，不能电话体检")
        if sbp is None or dbp is None:
            raise DomainError("bp_required", "健康体检须填写收缩压和舒张压")
        if visit_class:
            raise DomainError("visit_class", "健康体检没有随访分类，请填写健康评价")
        conclusion = checkup_rules.validate_checkup(
            conclusion=conclusion, findings=findings, lifestyle=lifestyle, advice=health_advice)
    previous = None
    if supersedes_id:
        previous = session.get(FollowupVisit, supersedes_id)
        if previous is None or previous.deleted or previous.resident_id != resident.id:
            raise DomainError("supersedes", "要更正的随访记录不存在或不属于该居民")
        if session.exec(select(FollowupVisit.id).where(
                FollowupVisit.supersedes_id == supersedes_id,
                FollowupVisit.deleted == False)).first():  # noqa: E712
            raise DomainError("supersedes", "该随访记录已被更正过，请更正最新版本")

    rules = visits_ruleset(session)
    age = age_on(resident.birth_date, vdate) if resident.birth_date else None
    suggested = None
    if kind == VisitKind.HYPERTENSION:
        suggested = followup.suggest_hypertension_class(
            sbp, dbp, adverse_reaction=adverse_reaction, new_complication=new_complication,
            age=age, ruleset=rules)
    elif kind == VisitKind.DIABETES:
        suggested = followup.suggest_diabetes_class(
            fasting_glucose, adverse_reaction=adverse_reaction,
            new_complication=new_complication, ruleset=rules)
    elif kind == VisitKind.SEVERE_MENTAL and mental is not None:
        suggested = mental_rules.suggest_mental_class(mental)
    final_class = chosen or suggested
    if chosen and suggested and chosen != suggested:
        warnings.append(f"所选随访分类（{visit_class_label(chosen)}）与系统建议（{visit_class_label(suggested)}）不同")
    if kind == VisitKind.ELDERLY_80:
        if method == VisitMethod.PHONE:
            warnings.append(PHONE_ELDERLY_WARNING)
        if age is not None and age < 80:
            warnings.append(f"该居民随访时{age}岁，不属于80岁以上老人年度访视对象")
    urgent = followup.urgent_referral_reasons(sbp=sbp, dbp=dbp, fasting_glucose=fasting_glucose,
                                              ruleset=rules)
    if kind == VisitKind.SEVERE_MENTAL:
        urgent += mental_rules.urgent_reasons(mental) if mental is not None else []
        if final_class == MentalClass.UNSTABLE and not urgent:
            urgent.append(label(MentalClass, MentalClass.UNSTABLE))
    earlier = _current_classes(session, resident.id, kind, vdate)
    if previous is not None and previous.visit_class in set(VisitClass) and earlier \
            and earlier[-1] == previous.visit_class:
        earlier = earlier[:-1]  # the corrected version replaces it
    prompt = final_class is not None and followup.needs_referral_after([*earlier, final_class])

    visit = FollowupVisit(
        org_id=resident.org_id, resident_id=resident.id, kind=kind, visit_date=vdate,
        method=method, sbp=sbp, dbp=dbp, heart_rate=heart_rate, weight=weight, height=height,
        fasting_glucose=fasting_glucose, symptoms=symptoms,
        medication_adherence=medication_adherence, adverse_reaction=adverse_reaction,
        new_complication=new_complication, visit_class=final_class, referral=referral,
        referral_reason=referral_reason, doctor_id=doctor_id, note=note,
        supersedes_id=supersedes_id, lifestyle=lifestyle, findings=findings,
        conclusion=conclusion, health_advice=health_advice,
        **{f"selfcare_{k}": v for k, v in scores.items()}, selfcare_total=total)
    on = max(today, vdate)
    if kind in (VisitKind.HYPERTENSION, VisitKind.DIABETES):
        # The next date depends on the colour this visit produces; it is worked out in a
        # savepoint that is rolled back, so the visit row is written once, complete
        # (visits are append-only: no update right after the insert).
        with session.begin_nested() as trial:
            session.add(visit)
            session.flush()
            colour = ledger.computed_colour(session, resident.id, on)
            trial.rollback()
        visit.next_visit_date = followup.next_due(vdate, final_class, colour, rules)
    elif kind == VisitKind.SEVERE_MENTAL:
        visit.next_visit_date = mental_rules.next_mental_due(vdate, final_class)
    session.add(visit)
    session.flush()
    assessment = ledger.evaluate_resident(session, resident.id, on=on)
    return VisitOutcome(visit=visit, suggested_class=suggested, urgent_reasons=urgent,
                        referral_prompt=prompt, warnings=warnings, assessment=assessment)


def visits_for(session: Session, resident_id: str, kind=None, *,
               include_superseded: bool = False) -> list[FollowupVisit]:
    """Newest first; corrected versions hide the rows they supersede unless asked."""
    q = select(FollowupVisit).where(FollowupVisit.resident_id == resident_id,
                                    FollowupVisit.deleted == False)  # noqa: E712
    if kind is not None:
        q = q.where(FollowupVisit.kind == kind)
    rows = list(session.exec(q.order_by(FollowupVisit.visit_date.desc(), FollowupVisit.id.desc())))
    if include_superseded:
        return rows
    replaced = {v.supersedes_id for v in rows if v.supersedes_id}
    return [v for v in rows if v.id not in replaced]


def kind_label(kind: str) -> str:
    return VISIT_KIND_ZH.get(kind, kind)
