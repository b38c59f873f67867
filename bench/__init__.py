"""Benchmarks of the billing engine (not timed tests): see bench/cycle_close.py and bench/billing_run.py."""
