"""``weituo deadlines …``."""
