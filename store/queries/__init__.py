"""SQL queries that power lists, screens and figures. Aggregates are computed in SQL."""
