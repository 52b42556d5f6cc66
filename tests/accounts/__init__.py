"""Sign-in tests. ``without_tokens`` lets two pages be compared the way a person reading them would."""

import re

# A CSRF token carries the second it was signed in (itsdangerous): two pages made a second apart differ in it alone.
# The form's hidden field and the token htmx sends (the body's hx-headers).
_CSRF_TOKEN = re.compile(r'(name="csrf_token" type="hidden" value="|"X-CSRFToken": ")[^"]*(")')


def without_tokens(html: str) -> str:
    return _CSRF_TOKEN.sub(r"\1…\2", html)
