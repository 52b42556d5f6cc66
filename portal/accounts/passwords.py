"""The password policy (等保 2.0 level 3, 身份鉴别) and the one way staff passwords are hashed and checked.

Every place that sets a password asks ``check``: the model, the command line, the demo, the change page and the
security administrator's reset. Messages say what to fix, in Chinese.
"""

from __future__ import annotations

import secrets

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn
from zxcvbn.matching import RANKED_DICTIONARIES

from portal.errors import DomainError

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_CLASSES = 3
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable" for an online attack with throttling
# zxcvbn is quadratic in the length; what lies past this adds strength it need not measure.
_ZXCVBN_PREFIX = 64

CLASS_NAMES = ("小写字母", "大写字母", "数字", "符号")
# Temporary passwords: no look-alikes (0/O, 1/l/I), so one read aloud over the phone arrives intact.
_LOWER = "abcdefghjkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"

_DUMMY_HASH: dict[str, str] = {}


class WeakPassword(DomainError):
    """The password breaks the policy; ``problems`` lists each thing to fix."""

    def __init__(self, problems: list[str]):
        super().__init__("密码不符合要求：" + "".join(problems))
        self.problems = problems


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and symbols (anything else, Chinese included) occur."""
    found = set()
    for ch in password:
        if ch.isdigit():
            found.add(2)
        elif ch.isupper():
            found.add(1)
        elif ch.islower():
            found.add(0)
        else:
            found.add(3)
    return len(found)


def is_common(password: str) -> bool:
    """Among the passwords most often found in breaches (zxcvbn's list of 30,000), ignoring case."""
    return password.lower() in RANKED_DICTIONARIES["passwords"]


def problems(password: str, username: str = "", *, personal: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with ``password`` for the account ``username`` (empty when it may be used); ``personal``
    holds other words a guesser would try first (the person's name)."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"至少{MIN_LENGTH}位（现为{len(password)}位）。")
    if len(password) > MAX_LENGTH:
        found.append(f"不能超过{MAX_LENGTH}位。")
    classes = character_classes(password)
    if classes < MIN_CLASSES:
        found.append(f"须包含小写字母、大写字母、数字、符号中的至少{MIN_CLASSES}类（现为{classes}类）。")
    if username and username.strip().lower() in password.lower():
        found.append("不能包含用户名。")
    if is_common(password):
        found.append("这是常见密码，容易被猜到，请换一个。")
    elif not found and zxcvbn(password[:_ZXCVBN_PREFIX], user_inputs=[username, *personal])["score"] < MIN_SCORE:
        found.append("太容易被猜到：请避开单词、姓名、日期、键盘顺序和重复字符，或再加长一些。")
    return found


def check(password: str, username: str = "", *, personal: tuple[str, ...] = ()) -> None:
    """Raise ``WeakPassword`` unless ``password`` satisfies the policy."""
    if found := problems(password, username, personal=personal):
        raise WeakPassword(found)


def generate(username: str = "") -> str:
    """A random password that satisfies the policy: a temporary one after a reset, the demo's when none is given."""
    alphabet = _LOWER + _UPPER + _DIGITS
    while True:
        groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3)]
        candidate = "-".join(groups)  # 14 characters, the hyphen makes the fourth class
        if character_classes(candidate) == 4 and not problems(candidate, username):
            return candidate


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def verify_dummy(password: str) -> bool:
    """Do the work of checking a password for an account that does not exist (or may not sign in), so that the
    answer takes as long as for a real one: the same hash method, the same cost. Always False."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    verify(_DUMMY_HASH[method], password)
    return False
