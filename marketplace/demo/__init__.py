"""Demo data: `python -m marketplace seed` fills a newcomer's first start."""
