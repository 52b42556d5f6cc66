"""The forms of the document page: recording a delivery, issuing a correction."""

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.cases.delivery import RECIPIENT_MAX, TRACKING_MAX
from portal.documents.models import DeliveryMethod
from portal.forms import Form, enum_options
from portal.localtime import today as local_today


class DeliveryForm(Form):
    method = SelectField("送达方式", choices=enum_options(DeliveryMethod), default=DeliveryMethod.IN_PERSON.value)
    delivered_on = DateField("送达日期", validators=[DataRequired("请填写送达日期。")], default=local_today)
    tracking_number = StringField(
        "邮件号", validators=[Optional(), Length(max=TRACKING_MAX)], description="邮寄送达填写挂号信或EMS单号"
    )
    recipient = StringField(
        "签收人",
        validators=[Optional(), Length(max=RECIPIENT_MAX)],
        description="当面送达填写签收人；不填即为信访人本人",
    )
    note = StringField("备注", validators=[Optional(), Length(max=200)])

    def arguments(self) -> dict:
        return {
            "method": DeliveryMethod(self.method.data),
            "delivered_on": self.delivered_on.data,
            "tracking_number": self.tracking_number.data or "",
            "recipient": self.recipient.data or "",
            "note": self.note.data or "",
        }


class CorrectionForm(Form):
    reason = TextAreaField(
        "更正理由", validators=[DataRequired("请填写更正理由。"), Length(max=500, message="更正理由不能超过500字。")]
    )
