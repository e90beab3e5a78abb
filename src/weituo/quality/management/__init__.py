"""Management commands of the quality app."""
