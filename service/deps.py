"""What routes depend on, as ``Annotated`` aliases: the runtime, the caller's key and tenant.

FastAPI runs a plain ``def`` dependency in its thread pool, one hand-over each; those that
only read what is in memory are ``async`` so that they run on the event loop at once. The
caller's key is looked up in the store, so that one stays in the pool."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from matcher import Matcher
from models import ApiKey, Forbidden, NotReady, Unauthorized
from service.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="An API key: `talentmatch keys create`")


def runtime_of(request: Request) -> Runtime:
    """The app's runtime. Raises NotReady while the pool loads."""
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise NotReady("the talent pool is still loading")
    return runtime


async def get_runtime(request: Request) -> Runtime:
    return runtime_of(request)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_matcher(runtime: RuntimeDep) -> Matcher:
    return runtime.matcher


MatcherDep = Annotated[Matcher, Depends(get_matcher)]


def get_caller(
    request: Request,
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKey:
    """The caller's API key. Raises Unauthorized without a valid key."""
    if credentials is None:
        if not runtime.settings.auth_required:
            caller = ApiKey(prefix="anonymous", tenant=runtime.settings.default_tenant)
            request.state.caller = caller
            return caller
        raise Unauthorized("missing API key: send `Authorization: Bearer <key>`")
    found = runtime.store.key(credentials.credentials)
    if found is None:
        raise Unauthorized("unknown or revoked API key")
    request.state.caller = found  # for the request log
    return found


CallerDep = Annotated[ApiKey, Depends(get_caller)]


async def get_tenant(caller: CallerDep) -> str:
    """The tenant of the caller's key: the only one whose data the call sees."""
    return caller.tenant


TenantDep = Annotated[str, Depends(get_tenant)]


async def get_admin(caller: CallerDep) -> ApiKey:
    """The caller's key, which must be an admin key. Raises Forbidden otherwise."""
    if not caller.admin:
        raise Forbidden("this call needs an admin key (`talentmatch keys create --admin`)")
    return caller


AdminDep = Annotated[ApiKey, Depends(get_admin)]
