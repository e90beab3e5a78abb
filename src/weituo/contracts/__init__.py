"""Contracts: commission contracts, structured quality agreements, technology transfer, CMO evaluations."""
