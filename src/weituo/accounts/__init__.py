"""Accounts: users, their memberships of organisations with roles, and the visibility policy."""
