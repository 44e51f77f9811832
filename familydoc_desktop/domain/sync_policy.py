"""Which fields may merge silently and which need a person when two devices changed them.

architecture.md: both-sided changes to identity and clinical fields (name, ID number, birth
date, household, diagnoses, contract status) become conflicts to review; other fields resolve
by hybrid logical clock with the losing value kept. Clinical records are append-only.
"""
from __future__ import annotations

# Tables whose rows are never edited in place after creation: a correction is a new row.
APPEND_ONLY: frozenset[str] = frozenset({
    "ledger_assessment", "followup_visit", "sickbed_round", "audit_log", "health_points",
    "health_push", "satisfaction_survey",
})

# What a merge of duplicate residents (domain/duplicates.py) re-points: the tables holding a
# resident's records and their resident column, and the rows that belong to those through a
# parent (they only follow the parent's clinic). A merge moves them as ordinary synced
# edits, append-only tables included: on those, MERGE_EDITS are the only fields the app ever
# changes after creation (the server applies edits there field by field by HLC, never as a
# conflict), so a visit or an assessment keeps what it says and changes only whose it is.
RESIDENT_LINKS: dict[str, str] = {
    "diagnosis": "resident_id", "population_membership": "resident_id",
    "contract": "resident_id", "ledger_assessment": "resident_id",
    "followup_visit": "resident_id", "sickbed": "resident_id", "referral": "resident_id",
    "long_prescription": "resident_id", "health_points": "resident_id",
    "satisfaction_survey": "resident_id", "health_push": "resident_id",
    "drug_shortage": "resident_id",
}
PARENT_LINKS: dict[str, tuple[str, str]] = {  # table: (parent table, parent column)
    "contract_package": ("contract", "contract_id"),
    "sickbed_round": ("sickbed", "sickbed_id"),
}
MERGE_EDITS: frozenset[str] = frozenset({"resident_id", "org_id"})

# Fields whose two-sided change waits for review, per table.
REVIEW_FIELDS: dict[str, frozenset[str]] = {
    "resident": frozenset({"name", "sex", "id_number", "birth_date", "household_id",
                           "merged_into", "died_on"}),
    "household": frozenset({"head_id"}),
    "diagnosis": frozenset({"condition", "icd10", "start_date", "end_date", "deleted"}),
    "population_membership": frozenset({"membership", "start_date", "end_date"}),
    "contract": frozenset({"status", "start_date", "end_date", "term_years", "terminated_on",
                           "termination_reason", "resident_id", "team_id", "doctor_id"}),
    "sickbed": frozenset({"admitted_on", "discharged_on", "outcome", "bed_type", "diagnosis"}),
    "referral": frozenset({"status", "direction", "receiving_unit"}),
}

# Columns that belong to the replica, not the record: never sent, never merged.
LOCAL_COLUMNS: frozenset[str] = frozenset({"server_seq"})
# Columns derived from others on the device (search helpers); recomputed, never merged.
DERIVED_COLUMNS: dict[str, frozenset[str]] = {
    "resident": frozenset({"initials", "id_rev", "phone_rev"}),
}


def needs_review(table: str, field: str) -> bool:
    return field in REVIEW_FIELDS.get(table, frozenset())


def is_append_only(table: str) -> bool:
    return table in APPEND_ONLY


def merge_may_edit(table: str, field: str) -> bool:
    """Whether a merge may change `field` of an existing row of `table`."""
    linked = table in RESIDENT_LINKS or table in PARENT_LINKS
    return linked and (field in MERGE_EDITS if is_append_only(table) else True)
