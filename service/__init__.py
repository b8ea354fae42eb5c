"""The ways in: HTTP API (FastAPI), command line, batch jobs."""

from service.app import create_app
from service.runtime import Runtime
from service.settings import Settings

__all__ = ["Runtime", "Settings", "create_app"]
