"""Each resident's care records in the demo township: diagnoses and key-population
memberships, contract history and packages, follow-up visits, home sickbeds, the
red-yellow-green ledger colour, and the other services (long prescriptions, referrals,
health points, surveys, health pushes). A mixin of the township generator (township.py),
which supplies the random stream, ids and the row builder.
"""
from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from familydoc_desktop.demo.draw import _add_years, _by_age, _pick
from familydoc_desktop.demo.proportions import (
    BEIJING, DIABETES_BY_AGE, DRUGS, HYPERTENSION_BY_AGE, PUSH_TOPICS, SICKBED_DIAGNOSES,
)
from familydoc_desktop.domain import followup, mental
from familydoc_desktop.domain.codes import (
    CheckupConclusion, Colour, Condition, ConsentBy, ContractStatus, Membership, MentalClass, ReferralDirection,
    ReferralStatus, SickbedOutcome, SickbedType, TerminationReason, VisitClass, VisitKind,
    VisitMethod,
)
from familydoc_desktop.domain.contracts import contract_end
from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.ledger import LedgerFacts, evaluate
from familydoc_desktop.domain.population import (
    DiagnosisFact, PersonFacts, derive_populations,
)
from familydoc_desktop.domain.selfcare import ITEMS, selfcare_total


class CareRecords:
    """Methods of _Township that write one resident's care records into `out`."""

    # --- diagnoses, memberships, contracts, visits, ledger ------------------------------------
    def clinical(self, org_id: str, p: dict, out: dict[str, list]) -> None:
        rng, today, age = self.rng, self.today, p["age"]
        rid = p["row"]["id"]
        # Chronic disease is diagnosed from 30 on; a younger adult's no later than 20 days ago
        # (never in the future: a diagnosis dated ahead would move a pulling PC's clock).
        adult_since = min(_add_years(p["born"], 30), today - timedelta(days=20))
        if age >= 18 and rng.random() < _by_age(HYPERTENSION_BY_AGE, age):
            p["dx"].append((Condition.HYPERTENSION, "I10", self.rand_date(
                max(adult_since, today - timedelta(days=15 * 365)), today - timedelta(days=20))))
        if age >= 18 and rng.random() < _by_age(DIABETES_BY_AGE, age):
            p["dx"].append((Condition.DIABETES, "E11", self.rand_date(
                max(adult_since, today - timedelta(days=12 * 365)), today - timedelta(days=20))))
        if age >= 40 and rng.random() < 0.03 + (0.03 if age >= 65 else 0):
            p["dx"].append((Condition.COPD, "J44", self.rand_date(
                today - timedelta(days=10 * 365), today - timedelta(days=30))))
        if age >= 15 and rng.random() < 0.006:
            p["dx"].append((Condition.SEVERE_MENTAL, "F20", self.rand_date(
                today - timedelta(days=15 * 365), today - timedelta(days=30))))
        if rng.random() < 0.0006:
            p["dx"].append((Condition.TUBERCULOSIS, "A16", self.rand_date(
                today - timedelta(days=200), today - timedelta(days=10))))
        pregnancy_end = None
        if not p["male"] and 20 <= age < 40 and rng.random() < 0.06:
            start = self.rand_date(today - timedelta(days=300), today - timedelta(days=10))
            pregnancy_end = start + timedelta(days=280 + 42)
            p["dx"].append((Condition.PREGNANCY, "Z33", start))
        for condition, icd, start in p["dx"]:
            end = pregnancy_end if condition == Condition.PREGNANCY else None
            out["diagnosis"].append(self.row(
                "diagnosis", org_id, self.at(start), resident_id=rid, condition=condition,
                icd10=icd, start_date=start, end_date=end, note=None))
        for membership, prob in ((Membership.DISABLED, 0.06 if age >= 60 else 0.02),
                                 (Membership.POVERTY, 0.04),
                                 (Membership.FP_SPECIAL, 0.006 if 50 <= age < 85 else 0)):
            if rng.random() < prob:
                start = self.rand_date(today - timedelta(days=8 * 365), today - timedelta(days=30))
                p["members"].append(membership)
                out["population_membership"].append(self.row(
                    "population_membership", org_id, self.at(start), resident_id=rid,
                    membership=membership, start_date=start, end_date=None))
        facts = PersonFacts(p["born"], p["row"]["sex"], tuple(
            DiagnosisFact(c, s, pregnancy_end if c == Condition.PREGNANCY else None)
            for c, _, s in p["dx"]), tuple(p["members"]))
        p["populations"] = derive_populations(facts, today)
        key = bool(p["populations"])
        signed = rng.random() < (0.9 if key else 0.55)
        self.contracts(org_id, p, signed, out)
        visits = self.visits(org_id, p, signed, out)
        if signed and age >= 65:
            self.checkup(org_id, p, out)
        sickbed_open = self.sickbed(org_id, p, signed, out)
        if signed and key and self.ruleset is not None:
            self.ledger(org_id, p, visits, sickbed_open, out)
        if signed:
            self.services(org_id, p, out)

    def contracts(self, org_id: str, p: dict, signed: bool, out: dict[str, list]) -> None:
        rng, today = self.rng, self.today
        rid = p["row"]["id"]
        staff = self.staff[org_id]
        minor = p["age"] < 18
        guardian = p["head"]["row"]["name"] if minor and p["head"] else None

        def contract(start: date, term: int, status: str, previous: str | None = None,
                     **extra: Any) -> dict:
            ph, ins, own = self.fees_fen
            return self.row(
                "contract", org_id, self.at(start), resident_id=rid,
                household_id=p["hh"]["id"], team_id=self.teams[org_id],
                doctor_id=staff["doctor"], start_date=start, end_date=contract_end(start, term),
                term_years=term, status=status,
                consent_by=ConsentBy.GUARDIAN if guardian else ConsentBy.RESIDENT,
                guardian_name=guardian, signed_at=self.at(start), previous_id=previous,
                terminated_on=None, termination_reason=None, termination_note=None,
                fee_public_health_fen=ph, fee_insurance_fen=ins, fee_personal_fen=own,
                fee_preset=self.fee_preset) | extra

        if signed:
            term = _pick(rng, ((1, 60), (2, 25), (3, 15)))
            start = today - timedelta(days=rng.randrange(term * 365 - 1))
            previous = None
            if rng.random() < 0.15:
                prev_start = _add_years(start, -1)
                prev = contract(prev_start, 1, ContractStatus.RENEWED)
                out["contract"].append(prev)
                previous = prev["id"]
            current = contract(start, term, ContractStatus.ACTIVE, previous)
            out["contract"].append(current)
            self.packages_for(org_id, p, current, out)
        elif rng.random() < 0.12:
            end = today - timedelta(days=rng.randint(1, 700))
            out["contract"].append(contract(_add_years(end, -1) + timedelta(days=1), 1,
                                            ContractStatus.EXPIRED))
        elif rng.random() < 0.03:
            start = today - timedelta(days=rng.randint(60, 700))
            on = self.rand_date(start + timedelta(days=20),
                                min(contract_end(start, 1), today - timedelta(days=1)))
            reason = _pick(rng, ((TerminationReason.MOVED_AWAY, 40),
                                 (TerminationReason.OWN_REQUEST, 30),
                                 (TerminationReason.NO_CONTACT, 20), (TerminationReason.DIED, 10)))
            if reason == TerminationReason.DIED:
                p["row"]["died_on"] = on
            out["contract"].append(contract(start, 1, ContractStatus.TERMINATED,
                                            terminated_on=on, termination_reason=reason))

    def packages_for(self, org_id: str, p: dict, contract: dict, out: dict[str, list]) -> None:
        rng = self.rng
        pops = p["populations"]
        if {"hypertension", "diabetes"} & set(map(str, pops)) and rng.random() < 0.2:
            code = "CHRONIC"
        elif "aged_80" in pops and rng.random() < 0.15:
            code = "ELDERLY"
        elif "disabled" in pops and rng.random() < 0.2:
            code = "REHAB"
        elif "child_0_6" in pops and rng.random() < 0.1:
            code = "CHILD"
        elif rng.random() < 0.02:
            code = "TCM"
        else:
            return
        pkg = self.packages[org_id][code]
        personal = int(pkg["price_fen"] * 0.45)
        insurance = min(4000, pkg["price_fen"] - personal)
        out["contract_package"].append(self.row(
            "contract_package", org_id, contract["created_at"], contract_id=contract["id"],
            package_id=pkg["id"], price_fen=pkg["price_fen"], insurance_fen=insurance,
            personal_fen=personal))

    def visits(self, org_id: str, p: dict, signed: bool, out: dict[str, list]) -> list[dict]:
        """Quarterly hypertension / diabetes follow-ups over the past year, and the 80+ yearly
        visit. Returns the chronic visits, oldest first."""
        rng, today = self.rng, self.today
        conditions = {str(c): s for c, _, s in p["dx"]}
        male = p["male"]
        height = round(rng.gauss(169 if male else 158, 6), 1)
        weight = round(rng.gauss(24, 3) * (height / 100) ** 2, 1)
        control = _pick(rng, (("good", 65), ("poor", 30), ("severe", 5)))
        doctor = self.staff[org_id]["doctor"]
        chronic: list[dict] = []
        for kind in (VisitKind.HYPERTENSION, VisitKind.DIABETES):
            since = conditions.get(str(kind))
            if since is None:
                continue
            anchor = today - timedelta(days=365 - rng.randint(0, 30))
            dates = [anchor + timedelta(days=91 * k + rng.randint(-7, 7)) for k in range(4)]
            dates = [d for d in dates if since <= d <= today]
            if dates and rng.random() < 0.08:
                dates.pop()  # a missed quarter makes a follow-up overdue
            for d in dates:
                visit = self.chronic_visit(org_id, p, kind, d, control, height, weight, doctor)
                chronic.append(visit)
                revisit = d + timedelta(days=14)
                if visit["visit_class"] == VisitClass.UNSATISFACTORY and revisit <= today \
                        and rng.random() < 0.25:
                    chronic.append(self.chronic_visit(org_id, p, kind, revisit, "good", height,
                                                      weight, doctor))
        chronic.sort(key=lambda v: v["visit_date"])
        out["followup_visit"].extend(chronic)
        p["mental_class"] = self.mental_visits(org_id, p, conditions, doctor, out)
        p["selfcare"] = None
        if signed and p["age"] >= 80 and rng.random() < 0.6:
            jan1 = date(today.year, 1, 1)
            d = self.rand_date(jan1, today)
            frailty = _pick(rng, ((0, 60), (1, 22), (2, 12), (3, 6)))
            scores = {}
            for item, (_, allowed) in ITEMS.items():
                idx = min(len(allowed) - 1, max(0, frailty + rng.randint(-1, 1)))
                scores[item] = allowed[idx]
            total = selfcare_total(**scores)
            p["selfcare"] = total
            sbp = int(rng.gauss(145, 15))
            out["followup_visit"].append(self.row(
                "followup_visit", org_id, self.at(d), resident_id=p["row"]["id"],
                kind=VisitKind.ELDERLY_80, visit_date=d,
                method=VisitMethod.HOME if rng.random() < 0.6 else VisitMethod.CLINIC,
                sbp=max(95, min(210, sbp)), dbp=max(50, min(sbp - 25, int(rng.gauss(80, 8)))),
                heart_rate=int(rng.gauss(76, 8)), weight=weight, height=height,
                selfcare_eating=scores["eating"], selfcare_grooming=scores["grooming"],
                selfcare_dressing=scores["dressing"], selfcare_toileting=scores["toileting"],
                selfcare_activity=scores["activity"], selfcare_total=total, doctor_id=doctor,
                next_visit_date=date(today.year + 1, d.month, min(d.day, 28))))
        return chronic

    def checkup(self, org_id: str, p: dict, out: dict[str, list]) -> None:
        """This year's health check-up of a signed 65+ resident (seed 000), for about 70 %;
        from a random stream of the resident's own (see township.py checkup_id)."""
        rng, today = random.Random(f"checkup-{self.seed}-{p['row']['id']}"), self.today
        if rng.random() >= 0.7:
            return
        d = date(today.year, 1, 1) + timedelta(days=rng.randint(0, today.timetuple().tm_yday - 1))
        height = round(rng.gauss(169 if p["male"] else 158, 6), 1)
        weight = round(rng.gauss(24, 3) * (height / 100) ** 2, 1)
        sbp = max(100, min(175, int(rng.gauss(138, 14))))
        dbp = max(60, min(sbp - 25, 105, int(rng.gauss(82, 8))))
        glucose = round(max(4.0, min(12.0, rng.gauss(5.8, 0.9))), 1)
        found = ([f"血压偏高（{sbp}/{dbp} mmHg）"] if sbp >= 140 or dbp >= 90 else []) + (
            [f"空腹血糖偏高（{glucose} mmol/L）"] if glucose >= 7.0 else [])
        when = datetime.combine(d, time(9), BEIJING) + timedelta(minutes=rng.randrange(0, 420))
        out["followup_visit"].append(self.row(
            "followup_visit", org_id, when.astimezone(timezone.utc), id=self.checkup_id(),
            resident_id=p["row"]["id"], kind=VisitKind.CHECKUP, visit_date=d,
            method=VisitMethod.CLINIC if rng.random() < 0.85 else VisitMethod.HOME,
            sbp=sbp, dbp=dbp, heart_rate=max(55, min(110, int(rng.gauss(74, 8)))),
            weight=weight, height=height, fasting_glucose=glucose,
            lifestyle=_pick(rng, (("不吸烟，不饮酒，每日散步", 55), ("吸烟，偶尔饮酒", 25),
                                  ("不吸烟，少量饮酒，很少锻炼", 20))),
            findings="；".join(found) or "查体及辅助检查未见明显异常",
            conclusion=CheckupConclusion.ABNORMAL if found else CheckupConclusion.NORMAL,
            health_advice="低盐低脂饮食，规律锻炼，定期复查" if found else "保持健康生活方式",
            doctor_id=self.staff[org_id]["doctor"]))

    def mental_visits(self, org_id: str, p: dict, conditions: dict, doctor: str,
                      out: dict[str, list]) -> MentalClass | None:
        """Quarterly severe mental disorder follow-ups (NBPHS-3); returns the last class.
        Draws from the random stream only for those patients, so everyone else's records
        stay as they were."""
        since = conditions.get(str(Condition.SEVERE_MENTAL))
        if since is None:
            return None
        rng, today = self.rng, self.today
        anchor = today - timedelta(days=365 - rng.randint(0, 30))
        last = None
        for d in (anchor + timedelta(days=91 * k + rng.randint(-7, 7)) for k in range(4)):
            if not since <= d <= today:
                continue
            # Most managed patients are stable at a given visit; about one in ten is not.
            risk = _pick(rng, ((0, 880), (1, 70), (2, 30), (3, 15), (4, 5)))
            a = mental.MentalAssessment(
                risk_level=risk, symptoms=_pick(rng, (("none", 85), ("some", 13), ("obvious", 2))),
                insight=_pick(rng, (("full", 80), ("partial", 18), ("none", 2))),
                social_function=_pick(rng, (("good", 60), ("fair", 35), ("poor", 5))))
            last = mental.suggest_mental_class(a)
            urgent = mental.urgent_reasons(a)
            out["followup_visit"].append(self.row(
                "followup_visit", org_id, self.at(d), resident_id=p["row"]["id"],
                kind=VisitKind.SEVERE_MENTAL, visit_date=d,
                method=VisitMethod.HOME if rng.random() < 0.7 else VisitMethod.CLINIC,
                medication_adherence=_pick(rng, (("规律", 60), ("间断", 30), ("不服药", 10))),
                visit_class=last, referral=bool(urgent), referral_reason="、".join(urgent) or None,
                next_visit_date=mental.next_mental_due(d, last), doctor_id=doctor))
        return last

    def chronic_visit(self, org_id, p, kind, d, control, height, weight, doctor) -> dict:  # noqa: ANN001
        rng = self.rng
        mean_sbp = {"good": 130, "poor": 150, "severe": 176}[control]
        sbp = max(95, min(230, int(rng.gauss(mean_sbp, 9))))
        dbp = max(55, min(sbp - 20, int(sbp * 0.58 + rng.gauss(0, 6))))
        adverse = rng.random() < 0.015
        complication = rng.random() < 0.008
        glucose = None
        age = age_on(p["born"], d)
        if kind == VisitKind.DIABETES:
            mean = {"good": 6.2, "poor": 8.6, "severe": 15.5}[control]
            glucose = round(max(3.0, min(28.0, rng.gauss(mean, 0.7 if control == "good" else 1.6))), 1)
            visit_class = followup.suggest_diabetes_class(
                glucose, adverse_reaction=adverse, new_complication=complication)
        else:
            visit_class = followup.suggest_hypertension_class(
                sbp, dbp, adverse_reaction=adverse, new_complication=complication, age=age)
        urgent = followup.urgent_referral_reasons(sbp=sbp, dbp=dbp, fasting_glucose=glucose)
        return self.row(
            "followup_visit", org_id, self.at(d), resident_id=p["row"]["id"], kind=kind,
            visit_date=d, method=_pick(rng, ((VisitMethod.CLINIC, 60), (VisitMethod.HOME, 25),
                                             (VisitMethod.PHONE, 15))),
            sbp=sbp, dbp=dbp, heart_rate=max(50, min(120, int(rng.gauss(76, 9)))),
            weight=round(weight + rng.gauss(0, 0.8), 1), height=height,
            fasting_glucose=glucose,
            medication_adherence=_pick(rng, (("规律", 75), ("间断", 20), ("不服药", 5))),
            adverse_reaction=adverse, new_complication=complication, visit_class=visit_class,
            referral=bool(urgent), referral_reason="、".join(urgent) or None,
            next_visit_date=followup.next_due(d, visit_class, None), doctor_id=doctor)

    def sickbed(self, org_id: str, p: dict, signed: bool, out: dict[str, list]) -> bool:
        rng, today = self.rng, self.today
        frail = p["age"] >= 80 or "disabled" in p["populations"] or (p["selfcare"] or 0) >= 19
        if not (signed and frail and rng.random() < 0.018):
            return False
        staff = self.staff[org_id]
        bed_type = _pick(rng, ((SickbedType.TREATMENT, 50), (SickbedType.REHABILITATION, 35),
                               (SickbedType.PALLIATIVE, 15)))
        is_open = rng.random() < 0.5
        if is_open:
            admitted = today - timedelta(days=rng.randint(3, 60))
            discharged = None
        else:
            admitted = today - timedelta(days=rng.randint(100, 300))
            discharged = admitted + timedelta(days=rng.randint(14, 85))
        outcome = None if is_open else (SickbedOutcome.DIED if bed_type == SickbedType.PALLIATIVE
                                        else _pick(rng, ((SickbedOutcome.IMPROVED, 60),
                                                         (SickbedOutcome.CURED, 20),
                                                         (SickbedOutcome.UNCHANGED, 15),
                                                         (SickbedOutcome.TRANSFERRED, 5))))
        bed = self.row(
            "sickbed", org_id, self.at(admitted), resident_id=p["row"]["id"],
            applied_on=admitted - timedelta(days=rng.randint(1, 5)), indication="行动不便，需连续居家治疗",
            admitted_on=admitted, bed_type=bed_type,
            diagnosis=rng.choice(SICKBED_DIAGNOSES[bed_type]), doctor_id=staff["gp"],
            nurse_id=staff["nurse"], care_plan="每周查床一次，监测生命体征，指导用药与康复",
            discharged_on=discharged, outcome=outcome,
            summary=None if is_open else "病情平稳，撤床")
        if outcome == SickbedOutcome.DIED:
            p["row"]["died_on"] = discharged
        out["sickbed"].append(bed)
        day = admitted + timedelta(days=rng.randint(5, 7))
        last = discharged or today
        while day <= last:
            out["sickbed_round"].append(self.row(
                "sickbed_round", org_id, self.at(day), sickbed_id=bed["id"], round_date=day,
                findings="生命体征平稳", orders="继续当前治疗方案", by_staff="家庭医生"))
            day += timedelta(days=rng.randint(6, 8))
        return is_open

    def ledger(self, org_id: str, p: dict, visits: list[dict], sickbed_open: bool,
               out: dict[str, list]) -> None:
        rng, today = self.rng, self.today
        last = visits[-1] if visits else None
        bp = next(((v["sbp"], v["dbp"]) for v in reversed(visits) if v["sbp"]), None)
        glucose = next((v["fasting_glucose"] for v in reversed(visits)
                        if v["fasting_glucose"] is not None), None)
        facts = LedgerFacts(
            populations=p["populations"], last_bp=bp, last_glucose=glucose,
            recent_classes=tuple(VisitClass(v["visit_class"]) for v in visits[-4:]),
            adverse_reaction=bool(last and last["adverse_reaction"]),
            new_complication=bool(last and last["new_complication"]),
            selfcare_total=p["selfcare"],
            severe_mental_unstable=("severe_mental" in p["populations"]
                                    and p.get("mental_class") == MentalClass.UNSTABLE),
            open_sickbed=sickbed_open,
            followup_overdue=bool(last and last["next_visit_date"] < today))
        result = self.ledger_cache.get(facts)
        if result is None:  # most elderly/children share facts: evaluate each once
            result = self.ledger_cache[facts] = evaluate(facts, self.ruleset)
        reasons = json.dumps([{"code": r.code, "text": r.text} for r in result.reasons],
                             ensure_ascii=False)
        out["ledger_assessment"].append(self.row(
            "ledger_assessment", org_id, self.at(today), resident_id=p["row"]["id"],
            assessed_on=today, colour=result.colour, computed_colour=result.colour,
            reasons=reasons, ruleset_version=result.ruleset_version, override=False,
            override_reason=None, author="系统演示"))
        if result.colour == Colour.RED and bp and bp[0] >= 180 and rng.random() < 0.5:
            d = last["visit_date"]
            out["referral"].append(self.row(
                "referral", org_id, self.at(d), resident_id=p["row"]["id"],
                direction=ReferralDirection.UP, referral_date=d, receiving_unit="县人民医院",
                reason="血压控制不佳，紧急转诊",
                status=_pick(rng, ((ReferralStatus.COMPLETED, 60), (ReferralStatus.RECEIVED, 30),
                                   (ReferralStatus.SENT, 10)))))

    def services(self, org_id: str, p: dict, out: dict[str, list]) -> None:
        rng, today = self.rng, self.today
        rid = p["row"]["id"]
        chronic = any(str(c) in ("hypertension", "diabetes") for c, _, _ in p["dx"])
        if chronic and rng.random() < 0.3:
            start = today - timedelta(days=rng.randint(0, 80))
            weeks = rng.choice((4, 8, 12))
            out["long_prescription"].append(self.row(
                "long_prescription", org_id, self.at(start), resident_id=rid, start_date=start,
                weeks=weeks, drugs=rng.choice(DRUGS), doctor_id=self.staff[org_id]["doctor"],
                end_date=start + timedelta(weeks=weeks)))
        if rng.random() < 0.004:
            d = today - timedelta(days=rng.randint(1, 300))
            out["referral"].append(self.row(
                "referral", org_id, self.at(d), resident_id=rid,
                direction=ReferralDirection.DOWN, referral_date=d, receiving_unit="县人民医院",
                reason="出院后转回基层继续康复", status=ReferralStatus.COMPLETED))
        if rng.random() < 0.04:
            drawn = []
            for _ in range(rng.randint(1, 3)):
                d = today - timedelta(days=rng.randint(1, 360))
                drawn.append((d, rng.choice(((5, "参加健康讲座", "health_talk"),
                                             (5, "按时接受随访", "followup_kept"),
                                             (10, "参加健康体检", "checkup"),
                                             (-10, "兑换血糖试纸一盒", None)))))
            balance = 0
            for d, (pts, why, rule) in sorted(drawn, key=lambda x: x[0]):
                if pts < 0 and balance + pts < 0:  # the balance never goes negative
                    pts, why, rule = 5, "参加健康讲座", "health_talk"
                balance += pts
                out["health_points"].append(self.row(
                    "health_points", org_id, self.at(d), resident_id=rid, on_date=d,
                    points=pts, reason=why, rule=rule))
        if rng.random() < 0.05:
            d = today - timedelta(days=rng.randint(1, 360))
            out["satisfaction_survey"].append(self.row(
                "satisfaction_survey", org_id, self.at(d), resident_id=rid, on_date=d,
                score=_pick(rng, ((5, 55), (4, 30), (3, 10), (2, 3), (1, 2))), comments=None))
        if rng.random() < 0.03:
            d = today - timedelta(days=rng.randint(0, 29))
            out["health_push"].append(self.row(
                "health_push", org_id, self.at(d), resident_id=rid, on_date=d,
                channel=_pick(rng, (("wechat", 60), ("sms", 30), ("in_person", 10))),
                topic=rng.choice(PUSH_TOPICS)))
