"""Creating and changing records by hand: what each entity's fields are called, how typed text becomes a
value (parsing.py, the one place), and the entity table the RecordEditor service reads (entities.py)."""
