"""Edges of the system: time, password hashing, later Stripe and email."""
