"""Deterministic synthetic township for demos, tests and benchmarks (desktop and server).

Pure: only the standard library and familydoc_desktop.domain. township.py (organisations,
households, people, the batches) describes the shape of the data; proportions.py holds its
numbers, draw.py the drawing helpers, care.py each resident's care records. COUNTS_60K
documents what 60,000 residents give (seed 1, today 2026-06-30, 20 clinics, with the
default ledger rule set).
"""
from familydoc_desktop.demo.township import (
    DEFAULT_FEES, DEFAULT_TOWNSHIP_CODE, TABLE_ORDER, demo_orgs, generate_township,
    village_codes_for,
)

# Measured: generate_township(residents=60000, seed=1, today=2026-06-30, 20 clinics,
# ledger_default) as written by store.bulk.load_demo: 242,515 rows.
COUNTS_60K: dict[str, int] = {
    "staff": 60, "team": 20, "team_member": 60, "service_package": 120, "household": 20095,
    "resident": 60000, "diagnosis": 15033, "population_membership": 4371, "contract": 51245,
    "contract_package": 3811, "ledger_assessment": 24094, "followup_visit": 52924,
    "sickbed": 56, "sickbed_round": 319, "referral": 250, "long_prescription": 3195,
    "health_points": 3395, "satisfaction_survey": 2147, "health_push": 1290,
    "drug_shortage": 30,
}

__all__ = ["COUNTS_60K", "DEFAULT_FEES", "DEFAULT_TOWNSHIP_CODE", "TABLE_ORDER", "demo_orgs",
           "generate_township", "village_codes_for"]
