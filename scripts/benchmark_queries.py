#!/usr/bin/env python
"""Query counts of the portal's pages at two sizes of demo data.

A page whose query count grows with the number of teams (an N+1) shows here as a
difference between the two columns; the script then exits 1. It measures counts, not
seconds, so the result does not depend on the machine.

    python scripts/benchmark_queries.py [--small 8] [--large 64] [--months 16]

Runs against a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL is set).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bsc_portal.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=8)
    parser.add_argument("--large", type=int, default=64)
    parser.add_argument("--months", type=int, default=16,
                        help="Length of the collaborative for the small run (the large run doubles it).")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from reports.benchmarks import page_query_counts

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        small = page_query_counts(teams=args.small, months=args.months)
        large = page_query_counts(teams=args.large, months=min(args.months * 2, 60))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    width = max(len(page) for page in small)
    print(f"{'page':<{width}}  {args.small:>3} teams/{args.months} mo  {args.large:>3} teams/"
          f"{min(args.months * 2, 60)} mo")
    grew = []
    for page, count in small.items():
        flag = "" if large[page] == count else "  <- grows with teams or months"
        print(f"{page:<{width}}  {count:>16}  {large[page]:>16}{flag}")
        if flag:
            grew.append(page)
    return 1 if grew else 0


if __name__ == "__main__":
    sys.exit(main())
