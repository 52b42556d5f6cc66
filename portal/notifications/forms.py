"""Forms of the notice pages: a new query code, a message text."""

from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.cases.services.query_codes import IDENTITY_CHECKS, SLIP, SMS
from portal.forms import Form, options
from portal.notifications.catalogue import TEXT_MAX


class ReissueForm(Form):
    identity_check = RadioField(
        "如何核实了信访人身份",
        choices=options(IDENTITY_CHECKS.items()),
        validators=[DataRequired("请选择核实信访人身份的方式。")],
    )
    note = TextAreaField("核实情况说明", validators=[Optional(), Length(max=200, message="说明不能超过200字。")])
    delivery = RadioField(
        "新查询码告知方式",
        choices=options([(SLIP, "打印查询码告知单（当面交给信访人，系统不保存）"), (SMS, "短信发送到登记的手机号码")]),
        default=SLIP,
        validators=[DataRequired("请选择告知新查询码的方式。")],
    )


class MessageTextForm(Form):
    text = TextAreaField(
        "短信内容", validators=[Optional(), Length(max=TEXT_MAX, message=f"短信内容不能超过{TEXT_MAX}字。")]
    )
