"""Deterministic synthetic demo data that reproduces the published August 2025 figures (``seed_demo``).

``targets`` holds the figures and the timeline, ``population`` plans employers and people with their histories,
``claims`` the claims, ``estimates`` the workforce denominators, ``dtsen`` the candidate list (a CSV file),
``store`` writes it all, ``seeding`` ties it together. Every random choice comes from ``random.Random`` streams
seeded from the seed, so the same scale and seed give the same data.
"""

from enrollment.demo.seeding import SeedResult, seed_demo
from enrollment.demo.targets import DemoDataError

__all__ = ["DemoDataError", "SeedResult", "seed_demo"]
