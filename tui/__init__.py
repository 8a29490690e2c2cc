"""Pantry CRM's Textual interface. Only this package imports textual."""
