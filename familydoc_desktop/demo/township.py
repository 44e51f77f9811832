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

Split by what each module holds: proportions.py (the numbers), draw.py (drawing from them),
care.py (each resident's care records); this module builds organisations, households and
people and yields the batches.
"""
from __future__ import annotations

import random
from bisect import bisect_left
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from typing import Any, Iterator, Mapping

from familydoc_desktop.demo import names
from familydoc_desktop.demo.care import CareRecords
from familydoc_desktop.demo.draw import _add_years, _pick, _templates
from familydoc_desktop.demo.ids import IdMaker, IdNumbers
from familydoc_desktop.demo.proportions import (  # noqa: F401 - re-exported
    AGE_BANDS, BEIJING, DEFAULT_FEE_PRESET, DEFAULT_FEES, DEFAULT_TOWNSHIP_CODE, DRUGS,
    HLC_NODE, HOUSEHOLD_SIZES, PACKAGES, TABLE_ORDER,
)
from familydoc_desktop.domain.codes import TeamRole
from familydoc_desktop.domain.contracts import fee_split
from familydoc_desktop.domain.ledger import LedgerFacts


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


class _Township(CareRecords):
    def __init__(self, *, seed: int, clinic_ids: list[str], today: date, township_name: str,
                 village_codes: list[str], village_names: list[str],
                 ledger_ruleset: Mapping | None, fees: Mapping, fee_preset: str) -> None:
        self.rng = random.Random(seed)
        start_ms = int(datetime.combine(today, time(0), timezone.utc).timestamp() * 1000)
        self.new_id = IdMaker(random.Random(seed * 7919 + 1), start_ms - 86_400_000 * 30)
        # Check-ups draw ids and values from streams of their own, so the rest of the demo
        # (every other record and id) is what it was before they were added.
        self.checkup_id = IdMaker(random.Random(seed * 7919 + 2), start_ms - 86_400_000 * 30)
        self.seed = seed
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
        # A shortage is a resident's request (the app registers none without one). Who asked
        # is picked from what was already drawn, so no other demo value moves.
        asker = people[drugs_day.toordinal() % len(people)]["row"]["id"] if people else None
        out["drug_shortage"].append(self.row(
            "drug_shortage", org_id, self.at(drugs_day), reported_on=drugs_day,
            drug_name=rng.choice(DRUGS).split(" ")[0], specification=None, resident_id=asker,
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
