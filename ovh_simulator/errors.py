"""OVH API error bodies, as the real API returns them."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """An error answer: HTTP status plus OVH's JSON body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        """Store the status and body."""
        super().__init__(str(body.get("message")))
        self.status = status
        self.body = body


def auth_error(status: int, code: str, message: str) -> ApiError:
    """Authentication error body: ``errorCode``, ``httpCode`` and ``message``."""
    return ApiError(
        status,
        {
            "errorCode": code,
            "httpCode": f"{status} {HTTPStatus(status).phrase}",
            "message": message,
        },
    )


def invalid_key() -> ApiError:
    """Unknown application key (python-ovh: ``InvalidKey``)."""
    return auth_error(403, "INVALID_KEY", "This application key is invalid")


def not_credential() -> ApiError:
    """Unknown consumer key (python-ovh: ``NotCredential``)."""
    return auth_error(403, "NOT_CREDENTIAL", "This credential does not exist")


def invalid_credential() -> ApiError:
    """Consumer key revoked, expired or pending (python-ovh: ``InvalidCredential``)."""
    return auth_error(403, "INVALID_CREDENTIAL", "This credential is not valid")


def invalid_signature() -> ApiError:
    """Bad signature or clock skew (python-ovh: ``BadParametersError``)."""
    return auth_error(400, "INVALID_SIGNATURE", "Invalid signature")


def not_granted_call() -> ApiError:
    """Call outside the consumer key's rules (python-ovh: ``NotGrantedCall``)."""
    return auth_error(403, "NOT_GRANTED_CALL", "This call has not been granted")


def client_error(status: int, kind: str, message: str) -> ApiError:
    """Any other error body: ``class`` (``Client::<kind>``) and ``message``."""
    return ApiError(status, {"class": f"Client::{kind}", "message": message})


def bad_request(message: str) -> ApiError:
    """Invalid parameters or body (python-ovh: ``BadParametersError``)."""
    return client_error(400, "BadRequest", message)


def not_found(what: str) -> ApiError:
    """Missing object (python-ovh: ``ResourceNotFoundError``)."""
    return client_error(404, "NotFound", f"The requested object ({what}) does not exist")


def invalid_url() -> ApiError:
    """No such route."""
    return client_error(404, "NotFound", "Got an invalid (or empty) URL")


def method_not_allowed(method: str) -> ApiError:
    """The route exists but not with this HTTP method (python-ovh: ``APIError``)."""
    return client_error(405, "MethodNotAllowed", f"Method {method} is not allowed on this URL")


def not_enough_credits() -> ApiError:
    """Job refused for lack of credits (no ``errorCode``: python-ovh ``APIError``).

    Assumed: no source shows OVH's answer, neither its status nor its body. Only the text
    tells here, which clients must read as a fallback to a status or ``errorCode``.
    """
    return client_error(403, "Forbidden", "Not enough credits to send this message")


def default_fault_body(status: int) -> dict[str, Any]:
    """Default body of an injected fault with ``status``."""
    if status == 500:
        return {"message": "Internal server error"}
    if status == 429:
        return {"message": "Too many requests"}
    try:
        return {"message": HTTPStatus(status).phrase}
    except ValueError:
        return {"message": f"Error {status}"}
