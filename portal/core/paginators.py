"""The admin's paginator for tables of a million rows: no COUNT(*) over the whole table.

Django's change list counts the rows it pages through. Unfiltered, this paginator takes the
planner's estimate (`pg_class.reltuples`, kept fresh by autovacuum) once the table is large;
filtered, it counts up to `exact_up_to` rows and, past that, takes the planner's estimate of the
filtered query. The page links and "N results" are then approximate on large lists, which is
what an official scrolling a queue oldest-first needs; the rows themselves are exact.
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    exact_up_to = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query") or connections[queryset.db].vendor != "postgresql":
            return super().count
        if not queryset.query.where and not queryset.query.distinct:
            estimate = self._table_estimate(queryset)
            if estimate > self.exact_up_to:
                return estimate
        counted = queryset.order_by()[: self.exact_up_to + 1].count()
        if counted <= self.exact_up_to:
            return counted
        return max(counted, self._query_estimate(queryset))

    @staticmethod
    def _table_estimate(queryset) -> int:
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                           [queryset.model._meta.db_table])
            row = cursor.fetchone()
        return max(int(row[0]), 0) if row else 0

    @staticmethod
    def _query_estimate(queryset) -> int:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])
