"""Core: the base model, the one error hierarchy, the working-day calendar."""
