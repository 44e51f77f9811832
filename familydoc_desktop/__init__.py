"""FamilyDoc (家医签约助手): family-doctor contract service for village clinics."""

__version__ = "0.1.0"
# Version of the synced data shape; the server accepts clients one version behind.
# 2: pull pages carry "departed" (records that left the device's scope).
SCHEMA_VERSION = 2
