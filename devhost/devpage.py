"""The developer page at /dev: routes, queues with their dead letters, outbox mail. Dev host only."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from shared.adapters.mail_outbox import read_outbox
from shared.http import envelope

if TYPE_CHECKING:
    from devhost.app import DevHost
    from devhost.routing import Router


DEFAULT_OUTBOX_LIMIT, MAX_OUTBOX_LIMIT = 50, 500


def routes(host: DevHost, router: Router) -> list[Route]:
    outbox_dir = host.settings.data_dir / "outbox"

    def route_rows() -> list[dict[str, Any]]:
        return [{"methods": sorted(r.methods) if r.methods else ["*"], "route": "/" + "/".join(
            filter(None, (host.index.route_prefix, r.template))), "function": r.target.name} for r in router.routes]

    def queue_rows() -> list[dict[str, Any]]:
        rows = host.queue_runner.describe()
        for row in rows:
            row["dead_letters"] = [{"message_id": m.message_id, "sequence_number": m.sequence_number,
                                    "delivery_count": m.delivery_count, "reason": m.dead_letter_reason,
                                    "description": m.dead_letter_error_description,
                                    "body": m.body.decode("utf-8", "replace")[:2000]}
                                   for m in host.queue_store.dead_letters(row["queue"], limit=20)]
        return rows

    async def outbox(request: Request) -> JSONResponse:
        raw = request.query_params.get("limit", "")
        if raw == "":
            limit = DEFAULT_OUTBOX_LIMIT
        else:
            limit = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
        if not 1 <= limit <= MAX_OUTBOX_LIMIT:
            # The app's error envelope, as an API route would answer a bad `limit`.
            return JSONResponse(envelope.failure("validation_error", "Some fields are invalid.", [{
                "field": "query.limit", "code": "int_range",
                "message": f"limit must be a whole number from 1 to {MAX_OUTBOX_LIMIT}."}]), status_code=422)
        return JSONResponse(read_outbox(outbox_dir, limit=limit))

    async def queues(request: Request) -> JSONResponse:
        return JSONResponse(queue_rows())

    async def function_routes(request: Request) -> JSONResponse:
        return JSONResponse(route_rows())

    async def page(request: Request) -> HTMLResponse:
        e = html.escape
        route_html = "".join(f"<tr><td>{e(', '.join(r['methods']))}</td><td><code>{e(r['route'])}</code></td>"
                             f"<td>{e(r['function'])}</td></tr>" for r in route_rows())
        queue_html = "".join(
            f"<tr><td>{e(q['queue'])}</td><td>{q['active']}</td><td>{q['scheduled']}</td><td>{q['dead_letter']}</td>"
            f"<td>{e(q.get('function') or '—')}</td></tr>"
            + "".join(f"<tr class='dl'><td colspan=5>dead letter <code>{e(d['message_id'])}</code> after "
                      f"{d['delivery_count']} deliveries: {e(d['reason'] or '')} — {e(d['description'] or '')}"
                      "</td></tr>" for d in q["dead_letters"])
            for q in queue_rows())
        mail_html = "".join(f"<details><summary>{e(m['to'])} — {e(m['subject'])}</summary><pre>{e(m['text'])}</pre>"
                            "</details>" for m in read_outbox(outbox_dir, limit=50))
        body = f"""<!doctype html><html><head><meta charset=utf-8><title>Dev host</title><style>
body{{font:14px system-ui;margin:1rem 2rem}} table{{border-collapse:collapse}} td,th{{padding:.2rem .6rem;
border-bottom:1px solid #ddd;text-align:left}} .dl td{{color:#a33;font-size:12px}}
pre{{background:#f4f4f4;padding:.5rem}}
</style></head><body><h1>Dev host</h1><p>Stack: <b>{e(host.settings.app_stack)}</b> ·
<a href="/api/docs">API docs</a> · <a href="/api/health">health</a> · JSON: <a href="/dev/api/routes">routes</a>,
<a href="/dev/api/queues">queues</a>, <a href="/dev/api/outbox">outbox</a></p>
<h2>Queues</h2><table><tr><th>queue</th><th>active</th><th>scheduled</th><th>dead letters</th><th>function</th></tr>
{queue_html or '<tr><td colspan=5>no queues yet</td></tr>'}</table>
<h2>Outbox</h2>{mail_html or '<p>No mail yet.</p>'}
<h2>Routes</h2><table><tr><th>methods</th><th>route</th><th>function</th></tr>{route_html}</table></body></html>"""
        return HTMLResponse(body)

    return [Route("/", page), Route("/api/outbox", outbox), Route("/api/queues", queues),
            Route("/api/routes", function_routes)]
