"""Every ORM model module, imported so that the metadata is complete for migrations and checks."""

from __future__ import annotations

from corridor.accounts import models as _accounts  # noqa: F401
from corridor.cases import models as _cases  # noqa: F401
from corridor.consignments import models as _consignments  # noqa: F401
from corridor.db.base import Base
from corridor.exchange import models as _exchange  # noqa: F401
from corridor.risk import models as _risk  # noqa: F401

metadata = Base.metadata
