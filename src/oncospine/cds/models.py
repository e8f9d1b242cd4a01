"""The CDS Hooks 2.0 request bodies this service accepts, validated with clear messages.

Hook requests: `hook`, `hookInstance` and `context` are required; `fhirServer` is required
whenever `fhirAuthorization` is sent, and the token type is `Bearer`. Feedback: each item names
its `card`, an `outcome` of `accepted` (with the accepted suggestions) or `overridden` (with an
optional reason), and an `outcomeTimestamp`. Unknown extra members are allowed, as the
specification reserves `extension` and clients may add more.

References: CDS Hooks 2.0 "Calling a CDS Service", "FHIR Resource Access", "Feedback".
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class FhirAuthorization(_Open):
    access_token: str = Field(min_length=1)
    token_type: str
    expires_in: int
    scope: str
    subject: str

    @field_validator("token_type")
    @classmethod
    def _bearer(cls, value: str) -> str:
        if value.lower() != "bearer":
            raise ValueError("token_type must be 'Bearer'")
        return value


class HookRequest(_Open):
    hook: str = Field(min_length=1)
    hookInstance: str = Field(min_length=1)
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _server_with_token(self) -> HookRequest:
        if self.fhirAuthorization is not None and not self.fhirServer:
            raise ValueError("fhirServer is required when fhirAuthorization is provided")
        return self

    def patient_id(self) -> str:
        value = self.context.get("patientId")
        if not isinstance(value, str) or not FHIR_ID.match(value):
            raise ValueError("context.patientId must be a FHIR id (letters, digits, '-', '.')")
        return value


class Coding(_Open):
    code: str = Field(min_length=1)
    system: str = Field(min_length=1)
    display: str | None = None


class OverrideReason(_Open):
    reason: Coding | None = None
    userComment: str | None = None


class AcceptedSuggestion(_Open):
    id: str = Field(min_length=1)


class FeedbackItem(_Open):
    card: str = Field(min_length=1)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: AwareDatetime  # an ISO timestamp in UTC

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackItem:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("an accepted outcome lists its acceptedSuggestions")
        if self.outcome == "overridden" and self.acceptedSuggestions:
            raise ValueError("an overridden card has no acceptedSuggestions")
        if self.outcome == "accepted" and self.overrideReason is not None:
            raise ValueError("overrideReason belongs to an overridden outcome")
        return self


class Feedback(_Open):
    feedback: list[FeedbackItem] = Field(min_length=1)


def problems_of(exc: ValidationError) -> list[str]:
    """Pydantic errors as 'path: message' lines."""
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err.get("loc", ())) or "<body>"
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        out.append(f"{path}: {message}")
    return out
