"""Synthetic data at district scale (`manage.py seed_scale`, the benchmarks): COPY into PostgreSQL.

`district.py` the enterprises, their users and talent; `applications.py` the officials and the
applications with their tasks, materials, deferrals, commitments and post-checks, drawn in chunks,
`loading.py` copying them chunk by chunk; `consistency.py`
the check that every seeded application stands where the workflow could have brought it.
"""
