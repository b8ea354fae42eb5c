"""The recruiter page: plain HTML, CSS and JavaScript served by the service itself, with no
build step. The page holds no data of its own: it signs in with an API key (kept in the
tab's session storage, never in a URL) and calls the same ``/v1`` API as the CRM, under the
same key and tenant rules."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Response
from fastapi.responses import RedirectResponse

from models import NotFound

PAGE_FILES = {
    "": ("index.html", "text/html; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "style.css": ("style.css", "text/css; charset=utf-8"),
}
# Scripts and styles only from the page's own files (no inline script can run); no framing;
# no referrer sent with a request.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

web = APIRouter(include_in_schema=False)


@web.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@web.get("/ui/{name:path}")
def page_file(name: str) -> Response:
    """One of the page's files; anything else is 404 ``not_found``."""
    if name not in PAGE_FILES:
        raise NotFound(f"no page file {name!r}")
    file, media_type = PAGE_FILES[name]
    body = (resources.files("service") / "web" / file).read_bytes()
    return Response(body, media_type=media_type, headers=HEADERS)
