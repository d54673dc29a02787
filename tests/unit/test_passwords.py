"""Passwords are hashed with argon2id at a memory-hard cost in production;
the suite's cheap hasher (tests/conftest.py) changes neither the algorithm
nor what verifies."""

from __future__ import annotations

from argon2 import extract_parameters

from marketplace.adapters import passwords


def test_production_hashing_is_argon2id_at_a_memory_hard_cost():
    stored = passwords.STRONG.hash("correct horse battery")
    found = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert found.memory_cost >= 64 * 1024 and found.time_cost >= 3


def test_a_hash_verifies_whichever_cost_made_it():
    strong = passwords.STRONG.hash("correct horse battery")
    cheap = passwords.hash_password("correct horse battery")
    assert passwords.verify_password(strong, "correct horse battery")
    assert passwords.verify_password(cheap, "correct horse battery")
    assert not passwords.verify_password(strong, "wrong horse")
    assert not passwords.verify_password(None, "correct horse battery")
