"""Which services are basic public health services (基本公共卫生服务), the one rule every list,
history and printout asks before it shows the mark (seed 001 item 5: "凡属于基本公共卫生服务的
项目和内容，应明确标识'基本公共卫生服务'字样").

The basic public health services are those of NBPHS-3 (《国家基本公共卫生服务规范（第三版）》):
health records, health education, immunisation, children 0-6, maternal care, the health
management of people aged 65 and over (a yearly check-up with the self-care assessment),
hypertension and type 2 diabetes, severe mental disorders, tuberculosis, TCM health
management, infectious-disease reporting and health supervision. What the app records of them:

- follow-ups of hypertension, type 2 diabetes and severe mental disorders (visit kinds
  `hypertension`, `diabetes`, `severe_mental`) and their due items (`chronic_followup`,
  `revisit`: both arise only from those three kinds);
- health-information pushes (`health_push`): health education;
- the health check-up (visit and due kind `checkup`, history kind `health_checkup`) of a
  resident aged 65 or over on the day: NBPHS-3 elderly health management. The check-up at signing of a younger resident belongs to the
  basic package's health management, paid from the contract, not an NBPHS service.

Not basic public health services, though the contract promises them: the 80+ yearly visit
(seed 001 item 22, `elderly_80`), the yearly follow-up of every signed resident (seed 002 §4.1,
`general`), referral, long prescriptions, health points, surveys, drug shortages, home
sickbeds, contract renewal. (COPD is not an NBPHS-3 service either.)
"""
from __future__ import annotations

PUBLIC_HEALTH_MARK = "基本公共卫生服务"

# Kinds (visit kinds, record tables, due-item kinds) that always are.
_ALWAYS: frozenset[str] = frozenset({
    "hypertension", "diabetes", "severe_mental",  # VisitKind: NBPHS-3 chronic / mental care
    "chronic_followup", "revisit",  # due items of those follow-ups (domain/due.py)
    "health_push",  # 健康教育
})
# Kinds that are when the resident is 65 or over on the day (NBPHS-3 老年人健康管理).
_FROM_65: frozenset[str] = frozenset({"checkup", "health_checkup"})


def is_basic_public_health(kind: str | None, *, age: int | None = None) -> bool:
    """Whether a service of `kind` (a visit kind, a record table or a due-item kind) is a
    basic public health service; `age` is the resident's age on the service's day, needed
    only for the check-up (unknown age: not labelled)."""
    if kind in _ALWAYS:
        return True
    return kind in _FROM_65 and age is not None and age >= 65


def public_health_mark(kind: str | None, *, age: int | None = None) -> str:
    """The mark to show or print beside the service, or "" when it is not one."""
    return PUBLIC_HEALTH_MARK if is_basic_public_health(kind, age=age) else ""


# Due-item kinds that arise only for residents aged 65 or over: the check-up due list chases
# the 65+ only (domain/checkup.py, CHECKUP_AGE), so each such item is NBPHS elderly care.
_DUE_65_ONLY: frozenset[str] = frozenset({"checkup"})


def due_item_mark(kind: str | None) -> str:
    """The mark beside a due-list item (its kind is a due kind of domain/due.py)."""
    if kind in _DUE_65_ONLY:
        return PUBLIC_HEALTH_MARK
    return public_health_mark(kind)
