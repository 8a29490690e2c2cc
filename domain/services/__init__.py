"""Services: apply the domain's rules to the store's data."""
