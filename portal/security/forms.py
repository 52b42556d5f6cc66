"""Forms of the security administrator's pages."""

from __future__ import annotations

from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.accounts.models import Role
from portal.forms import Form, options

ACCOUNT_STATES = (("", "全部"), ("active", "正常"), ("locked", "已锁定"), ("disabled", "已停用"))


class RoleChoices(SelectMultipleField):
    """Roles as checkboxes; the page says which ones are held alone (三员分立)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _role_field(label: str = "角色"):
    return RoleChoices(
        label,
        choices=options((r.value, r.label) for r in Role),
        validators=[DataRequired("请至少选择一个角色。")],
    )


class AccountSearchForm(Form):
    """The filters of the accounts list (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField("用户名或姓名", validators=[Optional(), Length(max=50)])
    department = SelectField("单位", validators=[Optional()])
    role = SelectField("角色", choices=options([("", "全部角色"), *((r.value, r.label) for r in Role)]))
    state = SelectField("状态", choices=options(ACCOUNT_STATES))

    def with_departments(self, departments) -> AccountSearchForm:
        self.department.choices = options([("", "全部单位"), *((str(d.id), d.name) for d in departments)])
        return self


class AccountForm(Form):
    username = StringField(
        "用户名",
        validators=[
            DataRequired("请填写用户名。"),
            Length(min=2, max=50),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能包含英文字母、数字、点、下划线和连字符。"),
        ],
    )
    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=50)])
    title = StringField("职务", validators=[Optional(), Length(max=100)])
    department = SelectField("单位", validators=[DataRequired("请选择单位。")])
    roles = _role_field()
    # Empty: a temporary password is generated and shown once (the person changes it at the first sign-in).
    password = PasswordField("初始密码", validators=[Optional(), Length(max=200)])
    confirm = PasswordField("再次输入初始密码", validators=[Length(max=200)])

    def validate_confirm(self, field) -> None:
        if (self.password.data or "") != (field.data or ""):
            raise ValidationError("两次输入的密码不一致。" if field.data else "请再次输入初始密码。")

    def with_departments(self, departments) -> AccountForm:
        self.department.choices = options([("", "请选择"), *((str(d.id), d.name) for d in departments)])
        return self


class RolesForm(Form):
    roles = _role_field()


class ActionForm(Form):
    """A button that posts (disable, enable, unlock, reset, end a session): only the CSRF token."""
