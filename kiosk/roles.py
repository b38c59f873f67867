from municipalities.models import Role

# Who registers kiosks, changes what they show, re-issues or revokes their URLs, and makes campaign links.
KIOSK_ROLES = frozenset({Role.ADMIN, Role.CURATOR})
