"""Which organisations' records an account may read and write.

A clinic account sees its clinic; a township its own org and the clinics below it; a county
every org below it (and itself); an IT administrator none of the data (admin endpoints only).
Scope follows the org tree, never digit ranges of area codes (codes change yearly).
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, select

from familydoc_desktop.domain.codes import Role
from sync_server import models

FORBIDDEN = "无权访问该机构的数据"


def subtree(conn: Connection, root_id: str) -> set[str]:
    """The org and every org below it."""
    children: dict[str | None, list[str]] = defaultdict(list)
    for org_id, parent_id in conn.execute(select(models.org.c.id, models.org.c.parent_id)):
        children[parent_id].append(org_id)
    found, stack = {root_id}, [root_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def data_scope(conn: Connection, role: str, org_id: str) -> frozenset[str]:
    """Org ids whose records this account may read and write."""
    if role == Role.IT_ADMIN:
        return frozenset()
    return frozenset(subtree(conn, org_id))
