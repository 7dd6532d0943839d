"""The officials' dashboard and the exports of applications and decisions.

`selectors.py` decides which applications a dashboard or an export covers (through the
applications' visibility selectors), `metrics.py` computes each figure with aggregate queries,
`charts.py` draws them as SVG on the server, `exports.py` writes CSV and XLSX in chunks and
records each export in the audit trail; `admin.py` and `api.py` are their doors. Other apps add
their own dashboard sections and export columns through `extensions.py` (the talent app adds its
policies' quota and budget, and the talent's masked ID number).
"""
