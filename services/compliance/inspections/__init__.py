"""The inspection plan: agencies chosen by risk, scheduled on working days, swapped, moved, and their
results."""
