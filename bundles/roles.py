from municipalities.models import Role

# Who curates the catalog (merchants, products, bundles, plans).
CATALOG_ROLES = frozenset({Role.ADMIN, Role.CURATOR})
# Who may see and edit a merchant's payout account in full.
BANK_ACCOUNT_ROLES = frozenset({Role.FINANCE})
