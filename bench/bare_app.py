"""The smallest Flask app that answers a SPARQL POST: the floor of the Python web stack.

``bench_overhead.py`` serves it under gunicorn (gthread, as ``sdkg serve``) and under
granian, beside ``sdkg serve``, so that sdkg's own cost per request shows as the
difference. The body is a fixed SPARQL JSON answer of the size of a lookup's.
"""

from __future__ import annotations

import json

from flask import Flask, Response

BODY = json.dumps(
    {
        "head": {"vars": ["p", "o"]},
        "results": {
            "bindings": [
                {
                    "p": {"type": "uri", "value": f"https://example.org/p{i}"},
                    "o": {"type": "literal", "value": f"value {i}"},
                }
                for i in range(12)
            ]
        },
    }
).encode()

app = Flask(__name__)


@app.post("/sparql")
def sparql() -> Response:
    """The fixed answer, whatever the query."""
    return Response(BODY, content_type="application/sparql-results+json")
