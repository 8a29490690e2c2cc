"""Pantry CRM store: the Peewee models, database set-up, migrations and every SQL query.

Only this package imports peewee. It hands domain records (`domain.records`) and plain
result types upward; nothing above it sees a Peewee model.
"""
