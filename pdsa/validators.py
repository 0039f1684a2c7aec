"""Field validators of the PDSA models. The one-line rule belongs to the lowest layer
(collaboratives), which names and titles everywhere share; it is re-exported here under
its old name so migrations and imports keep working."""

from __future__ import annotations

from collaboratives.validators import validate_one_line

__all__ = ["validate_one_line"]
