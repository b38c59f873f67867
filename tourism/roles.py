from municipalities.models import Role

# Who sees the tourism lists and the budget report.
TOURISM_VIEW_ROLES = frozenset({Role.ADMIN, Role.CURATOR, Role.FINANCE})
# Who creates and edits partners and offers and attaches offers to bundles.
TOURISM_EDIT_ROLES = frozenset({Role.ADMIN, Role.CURATOR})
# Who sees and edits a partner's payout account in full.
TOURISM_BANK_ROLES = frozenset({Role.FINANCE})
