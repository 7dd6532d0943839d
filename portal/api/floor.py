"""`GET /api/v1/bench/floor/`: the benchmarks' floor, registered only when `BENCH_FLOOR` is on.

The same stack as every API call (middleware, authentication, throttling, rendering) and then
a constant answer without touching the database: what a request costs before any work of its
own. An endpoint's throughput is reported as a share of this one, measured in the same run.
Production never serves it unless BENCH_FLOOR=true is set.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

ANSWER = {"floor": True, "results": [{"id": 1, "status": "in_review"}]}


@extend_schema(exclude=True)
class FloorView(APIView):
    """Authenticated (the default permission), constant JSON, no query of its own."""

    def get(self, request: Request) -> Response:
        return Response(ANSWER)
