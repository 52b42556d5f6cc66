"""The security settings the security administrator answers for, as the 安全设置 page shows them: each value, what it
means and where it is set. They come from the environment (portal/config.py) or the code, so the page only reads."""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts import passwords
from portal.accounts.models import mfa_required_for_all_staff

CONFIG = "环境变量 {key}（portal/config.py）"


@dataclass(frozen=True)
class Shown:
    label: str
    value: str
    where: str


def _config(config, key: str, label: str, unit: str = "", *, names: dict | None = None) -> Shown | None:
    if key not in config:
        return None
    value = config[key]
    if names is not None:
        text = names.get(value, str(value))
    elif isinstance(value, bool):
        text = "是" if value else "否"
    else:
        text = f"{value}{unit}"
    return Shown(label, text, CONFIG.format(key=key))


def _code(label: str, value: str, where: str) -> Shown:
    return Shown(label, value, f"程序常量 {where}（修改须经开发和测评）")


def shown(config) -> list[tuple[str, list[Shown]]]:
    """Groups of (title, settings) in the order the page shows them; a setting this install lacks is left out."""
    groups = [
        (
            "登录失败处理",
            [
                _config(config, "LOGIN_MAX_FAILURES", "连续失败多少次锁定账户", "次"),
                _config(config, "LOGIN_FAILURE_WINDOW_MINUTES", "失败次数的统计时段", "分钟"),
                _config(config, "LOGIN_LOCK_MINUTES", "锁定时长", "分钟"),
                _config(config, "LOGIN_LIMIT_PER_CLIENT", "同一地址的登录尝试上限"),
            ],
        ),
        (
            "会话",
            [
                _config(config, "SESSION_IDLE_MINUTES", "无操作自动退出", "分钟"),
                _config(config, "SESSION_ABSOLUTE_HOURS", "登录后最长有效", "小时"),
                _config(config, "SESSION_COOKIE_SECURE", "Cookie 仅经 HTTPS 发送（Secure）"),
                _config(config, "SESSION_COOKIE_HTTPONLY", "Cookie 禁止脚本读取（HttpOnly）"),
                _config(config, "SESSION_COOKIE_SAMESITE", "Cookie 跨站限制（SameSite）"),
                Shown(
                    "“保持登录”功能",
                    "不提供（不设置长期有效的记住登录 Cookie）",
                    "程序设计 portal/accounts/sessions.py",
                ),
            ],
        ),
        (
            "密码规则",
            [
                _code("最短长度", f"{passwords.MIN_LENGTH}位", "portal/accounts/passwords.py MIN_LENGTH"),
                _code(
                    "字符种类",
                    f"大写字母、小写字母、数字、符号中至少{passwords.MIN_CLASSES}种",
                    "portal/accounts/passwords.py MIN_CLASSES",
                ),
                _code(
                    "其他要求", "不得包含用户名或姓名，不得为常见密码，须达到强度要求", "portal/accounts/passwords.py"
                ),
                _config(config, "PASSWORD_MAX_AGE_DAYS", "密码有效期（0 为不过期）", "天"),
                _code("初始密码和重置后的密码", "首次登录时必须修改", "portal/accounts/models.py set_password"),
            ],
        ),
        (
            "双因素认证",
            [
                Shown(
                    "所有工作人员须使用动态口令",
                    "是" if mfa_required_for_all_staff() else "否（仅三员须使用；与等保三级要求的偏离）",
                    CONFIG.format(key="MFA_REQUIRED_FOR_ALL_STAFF"),
                ),
                _code("系统管理员、安全管理员、审计管理员", "始终须使用动态口令", "portal/accounts/models.py"),
                _config(config, "SECOND_FACTOR", "第二因素类型", names={"totp": "动态口令（TOTP）"}),
            ],
        ),
        (
            "审计日志",
            [
                _config(config, "AUDIT_RETENTION_DAYS", "保存期限（不少于180天）", "天"),
                _config(
                    config, "AUDIT_HASH_ALGORITHM", "防篡改链的杂凑算法", names={"sm3": "SM3", "sha256": "SHA-256"}
                ),
            ],
        ),
    ]
    return [(title, [s for s in items if s is not None]) for title, items in groups]
