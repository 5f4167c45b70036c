"""Users, roles, agencies, offices, sessions and the audit log."""
