"""Compliance: builds facts from the database, runs the pure rules, stores findings, self-inspection."""
