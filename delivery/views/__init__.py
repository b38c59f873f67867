"""Delivery pages, one module per audience (subscriber, staff, merchant)."""
