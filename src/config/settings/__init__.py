"""Django settings for weituo, split by environment: base, local, production, test."""
