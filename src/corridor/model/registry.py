"""The model registry: versioned model files under CORRIDOR_DATA_DIR/models/<version>/ and one row
per version in `model_versions`; exactly one version is active at a time; activate and roll back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor.domain.errors import Conflict, NotFound
from corridor.model.models import ModelVersionRow
from corridor.model.report import model_card
from corridor.model.train import TrainedModel
from corridor.settings import get_settings

ACTIVE = "active"
CANDIDATE = "candidate"
RETIRED = "retired"


def models_dir() -> Path:
    return get_settings().data_dir / "models"


def next_version(session: Session) -> str:
    """v1, v2 ...: the number after the highest registered one."""
    versions = session.scalars(select(ModelVersionRow.version)).all()
    numbers = [int(v[1:]) for v in versions if v.startswith("v") and v[1:].isdigit()]
    return f"v{max(numbers, default=0) + 1}"


def register(
    session: Session, model: TrainedModel, source: str, directory: Path | None = None
) -> ModelVersionRow:
    """Save the model's files and add its registry row (status candidate); the caller commits."""
    version = next_version(session)
    model.version = version
    path = (directory or models_dir()) / version
    card = model_card(model, source)
    model.save(path)
    (path / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    row = ModelVersionRow(
        version=version,
        label=model.config.label,
        status=CANDIDATE,
        created_at=datetime.now(UTC),
        activated_at=None,
        window_start=model.window[0],
        window_end=model.window[1],
        rows=model.rows,
        positives=model.positives,
        train_seconds=model.train_seconds,
        source=source[:300],
        path=str(path.resolve()),
        features=list(model.features),
        params=model.config.model_dump(),
        metrics=dict(model.metrics),
        card=card,
    )
    session.add(row)
    session.flush()
    return row


def get_version(session: Session, version: str) -> ModelVersionRow:
    row = session.get(ModelVersionRow, version)
    if row is None:
        raise NotFound(f"no model version {version!r}", where="model_versions")
    return row


def active_version(session: Session) -> ModelVersionRow | None:
    return session.scalars(select(ModelVersionRow).where(ModelVersionRow.status == ACTIVE)).first()


def list_versions(session: Session) -> list[ModelVersionRow]:
    rows = session.scalars(select(ModelVersionRow)).all()
    return sorted(rows, key=lambda r: (r.created_at, _number(r.version)), reverse=True)


def _number(version: str) -> int:
    return int(version[1:]) if version[1:].isdigit() else 0


def activate(session: Session, version: str) -> ModelVersionRow:
    """Make `version` the active model; the previously active one becomes retired. Caller commits."""
    row = get_version(session, version)
    if not Path(row.path, "model.txt").is_file():
        raise Conflict(f"model {version} has no files at {row.path}", where="model_versions.path")
    for other in session.scalars(select(ModelVersionRow).where(ModelVersionRow.status == ACTIVE)):
        if other.version != version:
            other.status = RETIRED
    row.status = ACTIVE
    row.activated_at = datetime.now(UTC)
    session.flush()
    return row


def rollback(session: Session) -> ModelVersionRow:
    """Re-activate the version that was active before the current one."""
    current = active_version(session)
    if current is None:
        raise Conflict("no active model to roll back from")
    previous = session.scalars(
        select(ModelVersionRow)
        .where(ModelVersionRow.status == RETIRED, ModelVersionRow.activated_at.is_not(None))
        .order_by(ModelVersionRow.activated_at.desc())
    ).first()
    if previous is None:
        raise Conflict(f"model {current.version} is the only one ever active: nothing to roll back to")
    # The current one was never good enough to keep: it goes back to candidate, not retired, so a
    # second rollback does not bounce between the two.
    current.status = CANDIDATE
    current.activated_at = None
    session.flush()
    return activate(session, previous.version)


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ModelVersionRow)) or 0)


def summary(row: ModelVersionRow) -> dict[str, Any]:
    precision = (row.metrics or {}).get("precision") or {}
    return {
        "version": row.version,
        "status": row.status,
        "label": row.label,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "activated_at": row.activated_at.isoformat() if row.activated_at else None,
        "window": [
            row.window_start.isoformat() if row.window_start else None,
            row.window_end.isoformat() if row.window_end else None,
        ],
        "rows": row.rows,
        "positives": row.positives,
        "features": len(row.features or []),
        "precision": precision,
        "train_seconds": row.train_seconds,
        "source": row.source,
        "path": row.path,
    }
