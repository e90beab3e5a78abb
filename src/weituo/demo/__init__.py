"""Demo: a reproducible synthetic province (or nation) for evaluation, training and benchmarks."""
