"""Batches: batches, their release packages, factory release and market release."""
