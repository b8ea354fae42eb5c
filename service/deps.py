"""What routes depend on, as ``Annotated`` aliases: the runtime and the caller's tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from matcher import Matcher
from models import NotReady, Unauthorized
from service.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="An API key: `talentmatch keys create`")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise NotReady("the talent pool is still loading")
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_matcher(runtime: RuntimeDep) -> Matcher:
    return runtime.matcher


MatcherDep = Annotated[Matcher, Depends(get_matcher)]


def get_tenant(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The tenant of the caller's API key. Raises Unauthorized without a valid key."""
    if credentials is None:
        if not runtime.settings.auth_required:
            return runtime.settings.default_tenant
        raise Unauthorized("missing API key: send `Authorization: Bearer <key>`")
    tenant = runtime.store.tenant_for_key(credentials.credentials)
    if tenant is None:
        raise Unauthorized("unknown or revoked API key")
    return tenant


TenantDep = Annotated[str, Depends(get_tenant)]
