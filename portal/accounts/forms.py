from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from portal.forms import Form


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=50)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=200)])


class SecondFactorForm(Form):
    code = StringField(
        "验证码", validators=[DataRequired("请输入手机上显示的6位动态口令，或一个恢复码。"), Length(max=30)]
    )


class EnrolForm(Form):
    code = StringField("动态口令", validators=[DataRequired("请输入手机上显示的6位动态口令。"), Length(max=30)])


class ChangePasswordForm(Form):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。"), Length(max=200)])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码。"), Length(max=200)])
    confirm = PasswordField(
        "再次输入新密码", validators=[DataRequired("请再次输入新密码。"), EqualTo("new", "两次输入的新密码不一致。")]
    )


class ConfirmPasswordForm(Form):
    password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。"), Length(max=200)])


class ReminderPhoneForm(Form):
    phone = StringField(
        "接收待办提醒的手机号",
        validators=[Optional(), Length(max=30)],
        description="每天早上临近期限和已超期的待办各汇总成一条短信发到这个号码；短信不含信访人和案件内容。留空则只在“我的待办”中提醒。",
    )
