"""A deterministic synthetic township: residents, households, diagnoses, contracts, visits,
ledger colours, sickbeds and other services, as plain row dicts.

Pure (stdlib + familydoc_desktop.domain), because the desktop loader and the sync server both
use it. The caller passes rule sets in; nothing here reads files. Same seed + same `today`
gives identical rows, ids included.

Shape (checked by tests/store/test_demo.py): an older-skewed rural age pyramid (about 21 % aged
65+, 3 % aged 80+); hypertension in about 18 % of adults, type 2 diabetes in about 7 %; about
40 % in a key population; about 70 % signed (about 90 % of key populations); contracts of 1-3
years with renewed, expired and terminated history; quarterly hypertension/diabetes visits
over the past year; a yearly visit for about 60 % of signed residents aged 80+.

For 60,000 residents the generator gives about 240,000 rows (COUNTS_60K in __init__).
"""
from __future__ import annotations

import json
import random
from enum import Enum
from bisect import bisect_left
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterator, Mapping

from familydoc_desktop.domain import followup
from familydoc_desktop.domain.codes import (
    Colour, Condition, ConsentBy, ContractStatus, Membership, PackageKind, ReferralDirection,
    ReferralStatus, SickbedOutcome, SickbedType, TeamRole, TerminationReason, VisitClass,
    VisitKind, VisitMethod,
)
from familydoc_desktop.domain.contracts import contract_end, fee_split
from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.ledger import LedgerFacts, evaluate
from familydoc_desktop.domain.models import SYNCED_MODELS
from familydoc_desktop.domain.population import (
    DiagnosisFact, PersonFacts, derive_populations,
)
from familydoc_desktop.domain.selfcare import ITEMS, selfcare_total
from familydoc_desktop.demo import names
from familydoc_desktop.demo.ids import IdMaker, IdNumbers

TABLE_ORDER: tuple[str, ...] = tuple(m.__tablename__ for m in SYNCED_MODELS)
BEIJING = timezone(timedelta(hours=8))
HLC_NODE = "demo"
# Jilin basic-package fee (seed 003 §3), used when the caller passes no fee preset.
DEFAULT_FEES = {"version": "jilin-2017.1", "public_health": "30", "insurance": "20",
                "personal": "0", "min_total": "50"}
DEFAULT_FEE_PRESET = "fees_jilin"
DEFAULT_TOWNSHIP_CODE = "220182105000"

# 5-year age bands (start age, weight): a rural township after decades of out-migration of
# working-age adults (older-skewed; 65+ about 21 %, 80+ about 3 %).
AGE_BANDS: tuple[tuple[int, float], ...] = (
    (0, 4.5), (5, 5.5), (10, 5.5), (15, 4.5), (20, 3.5), (25, 4.0), (30, 5.5), (35, 5.5),
    (40, 5.5), (45, 8.0), (50, 9.5), (55, 8.5), (60, 6.5), (65, 7.5), (70, 6.0), (75, 3.5),
    (80, 1.9), (85, 0.8), (90, 0.25), (95, 0.05),
)
HOUSEHOLD_SIZES = ((1, 15), (2, 28), (3, 22), (4, 18), (5, 11), (6, 6))
# Prevalence by age (lower bound of band, probability); adults overall land near 18 % / 7 %.
HYPERTENSION_BY_AGE = ((18, 0.025), (35, 0.09), (45, 0.17), (55, 0.26), (65, 0.33), (75, 0.38))
DIABETES_BY_AGE = ((18, 0.008), (35, 0.035), (45, 0.07), (55, 0.10), (65, 0.12), (75, 0.11))

PACKAGES = (  # code, name, kind, category, tier, price yuan, public health
    ("BASIC", "基础服务包", PackageKind.BASIC, None, None, 50, True),
    ("CHRONIC", "慢病管理服务包", PackageKind.PERSONALISED, "chronic", "basic", 120, False),
    ("ELDERLY", "老年人健康服务包", PackageKind.PERSONALISED, "home_visit", "basic", 100, False),
    ("REHAB", "康复服务包", PackageKind.PERSONALISED, "rehabilitation", "intermediate", 200, False),
    ("TCM", "中医药服务包", PackageKind.PERSONALISED, "tcm", "basic", 80, False),
    ("CHILD", "儿童健康服务包", PackageKind.PERSONALISED, "child", "basic", 60, False),
)
DRUGS = ("苯磺酸氨氯地平片 5mg 每日一次", "硝苯地平缓释片 20mg 每日两次",
         "厄贝沙坦片 150mg 每日一次", "二甲双胍片 0.5g 每日三次", "格列美脲片 2mg 每日一次",
         "阿卡波糖片 50mg 每日三次", "吲达帕胺片 2.5mg 每日一次")
SICKBED_DIAGNOSES = {
    SickbedType.TREATMENT: ("慢性阻塞性肺疾病急性加重", "高血压病3级", "糖尿病足", "肺部感染"),
    SickbedType.REHABILITATION: ("脑梗死后遗症", "股骨颈骨折术后", "脑出血恢复期"),
    SickbedType.PALLIATIVE: ("肺癌晚期", "胃癌晚期", "肝癌晚期"),
}
PUSH_TOPICS = ("高血压患者的饮食注意事项", "冬季预防流感", "糖尿病足的日常护理", "老年人防跌倒",
               "合理用药常识", "儿童预防接种提醒", "春季传染病预防", "家庭医生签约服务介绍")


def _templates() -> dict[str, dict[str, Any]]:
    """Every column of every synced table with its model default (None when required)."""
    out = {}
    for model in SYNCED_MODELS:
        row = {}
        for name, field in model.model_fields.items():
            row[name] = None if field.is_required() or field.default_factory else field.default
        out[model.__tablename__] = row
    return out


_CUMULATIVE: dict[int, tuple[tuple, list[float]]] = {}


def _pick(rng: random.Random, weighted) -> Any:  # noqa: ANN001
    """One value of a ((value, weight), ...) tuple; cumulative weights cached per tuple."""
    entry = _CUMULATIVE.get(id(weighted))
    if entry is None or entry[0] is not weighted:
        values, weights = zip(*weighted)
        cum, total = [], 0.0
        for w in weights:
            total += w
            cum.append(total)
        entry = _CUMULATIVE[id(weighted)] = (weighted, (values, cum))
    values, cum = entry[1]
    return rng.choices(values, cum_weights=cum)[0]


def _by_age(table, age: int) -> float:  # noqa: ANN001
    p = 0.0
    for start, prob in table:
        if age >= start:
            p = prob
    return p


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # Feb 29
        return date(d.year + years, 3, 1)


def village_codes_for(township_code: str, n: int) -> list[str]:
    """12-digit village codes under a township (9 leading digits kept, 201, 202, ...)."""
    head = township_code[:9]
    return [f"{head}{201 + i:03d}" for i in range(n)]


def demo_orgs(seed: int, township_code: str = DEFAULT_TOWNSHIP_CODE,
              n_clinics: int = 5) -> list[dict]:
    """A township health centre and its village clinics with 12-digit codes; the township is
    first. Ids are deterministic from the seed."""
    if not (township_code.isdigit() and len(township_code) in (9, 12)):
        raise ValueError("乡镇区划代码应为9位或12位数字")
    rng = random.Random(f"orgs-{seed}-{township_code}")
    new_id = IdMaker(rng, 1_700_000_000_000 + seed % 1_000_000)
    town_code = township_code[:9] + "000"
    town = {"id": new_id(), "code": town_code, "name": f"{names.TOWNSHIP_NAME}卫生院",
            "level": "township", "parent_id": None}
    prefixes = list(names.VILLAGE_PREFIX)
    rng.shuffle(prefixes)
    clinics = []
    for i, code in enumerate(village_codes_for(township_code, n_clinics)):
        village = prefixes[i % len(prefixes)] + ("" if i < len(prefixes) else str(i))
        clinics.append({"id": new_id(), "code": code, "name": f"{village}村卫生室",
                        "level": "clinic", "parent_id": town["id"]})
    return [town, *clinics]


class _Township:
    def __init__(self, *, seed: int, clinic_ids: list[str], today: date, township_name: str,
                 village_codes: list[str], village_names: list[str],
                 ledger_ruleset: Mapping | None, fees: Mapping, fee_preset: str) -> None:
        self.rng = random.Random(seed)
        start_ms = int(datetime.combine(today, time(0), timezone.utc).timestamp() * 1000)
        self.new_id = IdMaker(random.Random(seed * 7919 + 1), start_ms - 86_400_000 * 30)
        self.id_numbers = IdNumbers(self.rng)
        self.today = today
        self.township_name = township_name
        self.clinic_ids = clinic_ids
        self.village_codes = village_codes
        self.village_names = village_names
        self.ruleset = ledger_ruleset
        split = fee_split(fees)
        self.fees_fen = tuple(int(v * 100) for v in
                              (split.public_health, split.insurance, split.personal))
        self.fee_preset = fee_preset
        self.templates = _templates()
        self.staff: dict[str, dict[str, str]] = {}  # org -> role -> staff id
        self.teams: dict[str, str] = {}
        self.packages: dict[str, dict[str, dict]] = {}
        self.household_seq: dict[str, int] = defaultdict(int)
        self.record_seq: dict[str, int] = defaultdict(int)
        self.area = village_codes[0][:6]
        self.surnames = names.SURNAMES
        self.ledger_cache: dict[LedgerFacts, Any] = {}

    # --- rows -----------------------------------------------------------------------------
    def row(self, table: str, org_id: str, when: datetime, **fields: Any) -> dict:
        row = dict(self.templates[table])
        for key, value in fields.items():  # codes as plain str: rows go to JSON and SQL
            row[key] = value.value if isinstance(value, Enum) else value
        row["id"] = fields.get("id") or self.new_id()
        row["org_id"] = org_id
        row["created_at"] = row["updated_at"] = when
        row["hlc"] = f"{int(when.timestamp() * 1000):013d}-0000-{HLC_NODE}"
        row["server_seq"] = None
        row["deleted"] = False
        return row

    def at(self, day: date) -> datetime:
        """A working-hours moment on `day`, as aware UTC."""
        local = datetime.combine(day, time(8), BEIJING) + timedelta(
            minutes=self.rng.randrange(0, 540))
        return local.astimezone(timezone.utc)

    def rand_date(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    # --- organisation set-up ----------------------------------------------------------------
    def setup(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = defaultdict(list)
        founded = self.at(self.today - timedelta(days=5 * 365))
        for org_id, village in zip(self.clinic_ids, self.village_names):
            roles = {}
            for role, staff_role in (("doctor", TeamRole.VILLAGE_DOCTOR),
                                     ("gp", TeamRole.GP), ("nurse", TeamRole.NURSE)):
                male = role != "nurse" and self.rng.random() < 0.7
                r = self.row("staff", org_id, founded, name=self.full_name(male, 45),
                             role=staff_role, phone=self.phone(), active=True)
                out["staff"].append(r)
                roles[role] = r["id"]
            self.staff[org_id] = roles
            team = self.row("team", org_id, founded, name=f"{village}家庭医生团队",
                            leader_id=roles["gp"])
            out["team"].append(team)
            self.teams[org_id] = team["id"]
            for role, team_role in (("gp", TeamRole.LEADER), ("doctor", TeamRole.VILLAGE_DOCTOR),
                                    ("nurse", TeamRole.NURSE)):
                out["team_member"].append(self.row("team_member", org_id, founded,
                                                   team_id=team["id"], staff_id=roles[role],
                                                   role=team_role))
            self.packages[org_id] = {}
            for code, name, kind, cat, tier, price, ph in PACKAGES:
                r = self.row("service_package", org_id, founded, code=code, name=name,
                             kind=kind, category=cat, tier=tier, price_fen=price * 100,
                             public_health=ph, items=None)
                out["service_package"].append(r)
                self.packages[org_id][code] = r
        return out

    # --- people -----------------------------------------------------------------------------
    def draw_age(self) -> int:
        start = _pick(self.rng, AGE_BANDS)
        return start + self.rng.randrange(5)

    def surname(self) -> str:
        return _pick(self.rng, self.surnames)

    def given(self, male: bool, born_year: int) -> str:
        rng = self.rng
        if born_year < 1962 and rng.random() < 0.55:
            return rng.choice(names.OLD_MALE if male else names.OLD_FEMALE)
        chars = names.MALE_CHARS if male else names.FEMALE_CHARS
        if rng.random() < 0.25:
            return rng.choice(chars)
        return rng.choice(chars) + rng.choice(chars)

    def full_name(self, male: bool, age: int, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(male, self.today.year - age)

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10 ** 9):09d}"

    def birth_date(self, age: int) -> date:
        latest = _add_years(self.today, -age)
        earliest = _add_years(self.today, -age - 1) + timedelta(days=1)
        return self.rand_date(earliest, latest)

    def households(self, n: int) -> list[list[tuple[int, str]]]:
        """Ages drawn from the pyramid, then grouped into households of 1-6 around a head:
        members are taken nearest to a target age (spouse, children, parents), so the
        pyramid stays exact. Each household is [(age, role)], head first."""
        pool = sorted(self.draw_age() for _ in range(n))
        rng = self.rng

        def take(target: int) -> int:
            i = bisect_left(pool, target)
            if i == len(pool) or (i > 0 and target - pool[i - 1] <= pool[i] - target):
                i -= 1
            return pool.pop(i)

        homes = []
        while pool:
            size = min(_pick(rng, HOUSEHOLD_SIZES), len(pool))
            head = take(max(20, self.draw_age())) if pool[-1] >= 20 else take(pool[-1])
            home = [(head, "head")]
            for slot in range(1, size):
                if slot == 1 and head >= 22 and rng.random() < 0.85:
                    target, role = head + rng.randint(-5, 3), "spouse"
                elif head >= 55 and rng.random() < 0.45:
                    target, role = head - rng.randint(50, 60), "grandchild"
                elif rng.random() < 0.15:
                    target, role = head + rng.randint(24, 32), "parent"
                else:
                    target, role = head - rng.randint(23, 34), "child"
                home.append((take(max(0, target)), role))
            homes.append(home)
        return homes

    # --- one block of households --------------------------------------------------------------
    def block(self, org_id: str, village_code: str, village: str, n: int) -> dict[str, list]:
        rng, today = self.rng, self.today
        out: dict[str, list[dict]] = defaultdict(list)
        people = []
        for home in self.households(n):
            self.household_seq[org_id] += 1
            group = rng.randint(1, 8)
            address = f"{self.township_name}{village}{group}组{rng.randint(1, 99)}号"
            registered = self.at(self.rand_date(today - timedelta(days=6 * 365),
                                                today - timedelta(days=30)))
            hh = self.row("household", org_id, registered,
                          household_no=f"{village_code}{self.household_seq[org_id]:04d}",
                          address=address, village_code=village_code, head_id=None)
            out["household"].append(hh)
            head_age = home[0][0]
            head_male = rng.random() < 0.82
            family = self.surname()
            head = None
            for age, role in home:
                if role == "head":
                    male = head_male
                elif role == "spouse":
                    male = not head_male
                else:
                    male = rng.random() < (0.42 if age >= 75 else 0.51)
                own_surname = family if (role != "spouse" and (male or role != "parent")) \
                    else self.surname()
                person = self.person(org_id, village_code, hh, age, male, role, head_age,
                                     own_surname, address, registered, head)
                if role == "head":
                    head = person
                    hh["head_id"] = person["row"]["id"]
                people.append(person)
                out["resident"].append(person["row"])
        for person in people:
            self.clinical(org_id, person, out)
        drugs_day = self.rand_date(today - timedelta(days=90), today)
        out["drug_shortage"].append(self.row(
            "drug_shortage", org_id, self.at(drugs_day), reported_on=drugs_day,
            drug_name=rng.choice(DRUGS).split(" ")[0], specification=None, resident_id=None,
            resolved_on=None if rng.random() < 0.5 else drugs_day + timedelta(days=10),
            note=None))
        return out

    def relation(self, role: str, age: int, head_age: int, male: bool) -> str:
        """与户主关系 from the intended role and the actual age gap."""
        diff = age - head_age
        if role == "head":
            return "户主"
        if role == "spouse" and abs(diff) <= 15:
            return "配偶"
        if diff >= 40:
            return "祖父" if male else "祖母"
        if diff >= 12 and role in ("parent", "spouse"):
            return "父亲" if male else "母亲"
        if diff <= -36:
            return "孙子" if male else "孙女"
        if diff <= -12 or (diff < 0 and role in ("child", "grandchild")):
            return "子" if male else "女"
        return "兄弟姐妹" if abs(diff) < 12 else "其他"

    def person(self, org_id, village_code, hh, age, male, role, head_age, surname, address,
               registered, head) -> dict:  # noqa: ANN001
        rng = self.rng
        born = self.birth_date(age)
        married_in = role == "spouse" and rng.random() < 0.4
        area = rng.choice(names.OTHER_AREAS) if married_in or rng.random() < 0.08 else self.area
        no_id = (age == 0 and rng.random() < 0.4) or rng.random() < 0.004
        id_number = None if no_id else self.id_numbers.make(area, born, male)
        if 18 <= age < 80:
            phone = self.phone() if rng.random() < 0.9 else None
        else:
            phone = self.phone() if age >= 80 and rng.random() < 0.5 else None
        self.record_seq[village_code] += 1
        created = max(registered, self.at(born)) if born > registered.date() else registered
        row = self.row(
            "resident", org_id, created, name=self.full_name(male, age, surname),
            sex="male" if male else "female", birth_date=born, id_number=id_number,
            needs_id_match=no_id, phone=phone, address=address, household_id=hh["id"],
            relation_to_head=self.relation(role, age, head_age, male),
            village_code=village_code, record_no=f"{village_code}{self.record_seq[village_code]:05d}",
            insurance_type="职工医保" if 20 <= age < 60 and rng.random() < 0.04 else "城乡居民医保",
            ethnicity="汉族" if rng.random() < 0.96 else rng.choice(("满族", "朝鲜族", "蒙古族", "回族")),
            registered=rng.random() < 0.93, died_on=None, merged_into=None, note=None,
            initials="", id_rev=None, phone_rev=None)
        return {"row": row, "age": age, "male": male, "born": born, "hh": hh, "head": head,
                "dx": [], "members": []}

    # --- diagnoses, memberships, contracts, visits, ledger ------------------------------------
    def clinical(self, org_id: str, p: dict, out: dict[str, list]) -> None:
        rng, today, age = self.rng, self.today, p["age"]
        rid = p["row"]["id"]
        adult_since = _add_years(p["born"], 30)
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
            severe_mental_unstable="severe_mental" in p["populations"] and rng.random() < 0.3,
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
                status=_pick(rng, ((ReferralStatus.COMPLETED, 60), (ReferralStatus.ACCEPTED, 30),
                                   (ReferralStatus.PENDING, 10)))))

    def services(self, org_id: str, p: dict, out: dict[str, list]) -> None:
        rng, today = self.rng, self.today
        rid = p["row"]["id"]
        chronic = any(str(c) in ("hypertension", "diabetes") for c, _, _ in p["dx"])
        if chronic and rng.random() < 0.3:
            start = today - timedelta(days=rng.randint(0, 80))
            out["long_prescription"].append(self.row(
                "long_prescription", org_id, self.at(start), resident_id=rid, start_date=start,
                weeks=rng.choice((4, 8, 12)), drugs=rng.choice(DRUGS),
                doctor_id=self.staff[org_id]["doctor"]))
        if rng.random() < 0.004:
            d = today - timedelta(days=rng.randint(1, 300))
            out["referral"].append(self.row(
                "referral", org_id, self.at(d), resident_id=rid,
                direction=ReferralDirection.DOWN, referral_date=d, receiving_unit="县人民医院",
                reason="出院后转回基层继续康复", status=ReferralStatus.COMPLETED))
        if rng.random() < 0.04:
            for _ in range(rng.randint(1, 3)):
                d = today - timedelta(days=rng.randint(1, 360))
                pts, why = rng.choice(((10, "参加健康讲座"), (5, "按时随访"), (5, "完成体检"),
                                       (-20, "兑换体检项目")))
                out["health_points"].append(self.row(
                    "health_points", org_id, self.at(d), resident_id=rid, on_date=d,
                    points=pts, reason=why))
        if rng.random() < 0.05:
            d = today - timedelta(days=rng.randint(1, 360))
            out["satisfaction_survey"].append(self.row(
                "satisfaction_survey", org_id, self.at(d), resident_id=rid, on_date=d,
                score=_pick(rng, ((5, 55), (4, 30), (3, 10), (2, 3), (1, 2))), comments=None))
        if rng.random() < 0.03:
            d = today - timedelta(days=rng.randint(0, 29))
            out["health_push"].append(self.row(
                "health_push", org_id, self.at(d), resident_id=rid, on_date=d,
                channel=_pick(rng, (("微信", 60), ("短信", 30), ("电话", 10))),
                topic=rng.choice(PUSH_TOPICS)))


def _split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to `weights` that sum to `total` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[:total - sum(counts)]:
        counts[i] += 1
    return counts


def generate_township(*, residents: int, seed: int, clinic_ids: list[str], today: date,
                      township_name: str = names.TOWNSHIP_NAME,
                      village_codes: list[str] | None = None,
                      village_names: list[str] | None = None,
                      ledger_ruleset: Mapping | None = None, fees: Mapping | None = None,
                      fee_preset: str = DEFAULT_FEE_PRESET,
                      block_size: int = 3000) -> Iterator[tuple[str, list[dict]]]:
    """Yield (table_name, rows) batches. The first batches set up each clinic (staff, team,
    service packages); then each block of up to `block_size` residents yields its tables in
    SYNCED_MODELS order, so every row comes after the rows it refers to.

    Each clinic in `clinic_ids` is one village (`village_codes`, 12 digits, default derived
    from DEFAULT_TOWNSHIP_CODE). Ledger assessments are computed only when `ledger_ruleset`
    (e.g. rulesets.load_ruleset("ledger_default")) is given; `fees` is a fee preset dict
    (default Jilin 30 + 20 + 0 yuan). Search keys of residents are left for the caller.
    """
    if residents < 0:
        raise ValueError("居民人数不能为负数")
    if not clinic_ids:
        raise ValueError("至少需要一个村卫生室")
    codes = village_codes or village_codes_for(DEFAULT_TOWNSHIP_CODE, len(clinic_ids))
    if len(codes) != len(clinic_ids):
        raise ValueError("村卫生室与村区划代码数量不一致")
    rng = random.Random(f"villages-{seed}")
    if village_names is None:
        prefixes = list(names.VILLAGE_PREFIX)
        rng.shuffle(prefixes)
        village_names = [prefixes[i % len(prefixes)] + rng.choice(names.VILLAGE_SUFFIX)
                         for i in range(len(clinic_ids))]
    town = _Township(seed=seed, clinic_ids=list(clinic_ids), today=today,
                     township_name=township_name, village_codes=list(codes),
                     village_names=list(village_names), ledger_ruleset=ledger_ruleset,
                     fees=fees or DEFAULT_FEES, fee_preset=fee_preset)
    setup = town.setup()
    for table in TABLE_ORDER:
        if setup.get(table):
            yield table, setup[table]
    sizes = _split(residents, [rng.uniform(0.6, 1.4) for _ in clinic_ids])
    for org_id, code, village, size in zip(clinic_ids, codes, village_names, sizes):
        done = 0
        while done < size:
            n = min(block_size, size - done)
            done += n
            batch = town.block(org_id, code, village, n)
            for table in TABLE_ORDER:
                if batch.get(table):
                    yield table, batch[table]
