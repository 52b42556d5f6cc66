"""Domain errors: raised by services with a message a person can read; views turn them into a response."""


class DomainError(Exception):
    """A rule of the domain refused the action; nothing was written."""

    status_code = 422

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The acting user's role or department does not allow this action."""

    status_code = 403


class StaleCase(DomainError):
    """Someone else changed the case since the form was loaded."""

    status_code = 409

    def __init__(self, message: str = "该信访件已被他人更新，请刷新后再操作；您填写的内容已保留。"):
        super().__init__(message)
