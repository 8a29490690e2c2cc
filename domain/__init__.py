"""Pantry CRM domain layer: pydantic records, business rules and the services that apply them.

Nothing in this package imports textual or peewee; the store and the TUI depend on it,
never the other way round.
"""
