"""HTTP API of the model registry: list versions, read a model card, activate, roll back, and the
model's reasons for one stored consignment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from corridor.api.deps import EngineDep, SessionDep
from corridor.model import service


def _allowed(permission: str) -> Any:
    """The caller (session cookie or API token) must hold `permission`; consignments are office-scoped."""

    def check(request: Request, session: SessionDep) -> None:
        from corridor.accounts.deps import api_auth
        from corridor.accounts.roles import Permission, can
        from corridor.domain.errors import Forbidden

        user = api_auth(request, session).user
        needed = Permission(permission)
        if not can(user.role, needed):
            raise Forbidden(f"a {user.role.replace('_', ' ')} may not {needed.value.replace('_', ' ')}")
        ref = request.path_params.get("ref")
        if ref is not None:
            from corridor.accounts.deps import client_ip
            from corridor.cases.service import scoped_row

            scoped_row(session, user, ref, ip=client_ip(request))

    return Depends(check)


VIEW = [_allowed("view_consignments")]
# Changing which model scores is the risk analyst's job, like editing profiles.
EDIT = [_allowed("edit_profiles")]

router = APIRouter(tags=["model"])


@router.get("/models", summary="Registered model versions, newest first", dependencies=VIEW)
def get_models(engine: EngineDep) -> Any:
    items = service.list_models(engine)
    return {"count": len(items), "items": items}


@router.get(
    "/models/{version}", summary="One model version with its metrics and model card", dependencies=VIEW
)
def get_model(version: str, engine: EngineDep) -> Any:
    return service.model_detail(engine, version)


@router.post("/models/{version}/activate", summary="Make this version the active model", dependencies=EDIT)
def post_activate(version: str, engine: EngineDep) -> Any:
    return service.activate_model(engine, version)


@router.post("/models/rollback", summary="Re-activate the previously active version", dependencies=EDIT)
def post_rollback(engine: EngineDep) -> Any:
    return service.rollback_model(engine)


@router.get(
    "/consignments/{ref}/model",
    summary="The active model's probability, expected revenue and top reasons for a consignment",
    dependencies=VIEW,
)
def get_consignment_model(ref: str, session: SessionDep) -> Any:
    return service.explain_consignment(session, ref)
