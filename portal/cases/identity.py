"""Moved to ``portal.validation``; kept importable while callers move over."""

from portal.validation import (  # noqa: F401
    id_check_digit,
    id_number_problem,
    normalise_id_number,
    normalise_phone,
    phone_problem,
)
