"""Karma market-network: a give/get professional network settled in karma and IOUs."""
