"""Errors a use case raises; views and the API translate them to pages and problems."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class Conflict(ServiceError):
    """The task was completed already, or the case moved on meanwhile."""

    status = 409
    title = "Conflict"


class CaseClosed(Conflict):
    pass


class ValidationFailed(ServiceError):
    status = 422
    title = "Validation failed"

    def __init__(self, errors: dict[str, list[str]], message: str = "入力内容に誤りがあります"):
        super().__init__(message)
        self.errors = errors


class StepFailed(ServiceError):
    """The process could not take the step; everything was rolled back."""

    status = 500
    title = "Process step failed"

    def __init__(self, message: str, element_id: str | None = None):
        super().__init__(message)
        self.element_id = element_id
