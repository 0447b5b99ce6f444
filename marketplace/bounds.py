"""The ranges every number coming in must keep: one definition for the API's schemas and checks.

A schema without bounds lets ``2**63`` reach asyncpg (which cannot encode it for an int4 column)
or ``1e300`` reach a ``numeric(12, 2)``: both were 500s.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

#: Ids are PostgreSQL ``serial`` columns (int4): a larger number names nothing.
MAX_ID = 2**31 - 1
#: The most units one line (an order's, a transfer's) may ask for; stock quantities are int4.
MAX_QUANTITY = 99_999
#: Search radius, in km (Italy fits).
MAX_RADIUS_KM = 2000.0

Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
RadiusKm = Annotated[float, msgspec.Meta(gt=0, le=MAX_RADIUS_KM)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=2000)]
