"""FamilyDoc sync server: accounts, devices, tokens, push/pull sync with scope checks.

Layout follows fastapi/full-stack-fastapi-template: core/ (config, db, security, scope),
api/ (deps and routes), services/ (the sync rules, free of HTTP), models.py (Core tables in the
server's own MetaData), migrations/ (its own Alembic history).
"""
