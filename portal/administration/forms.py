"""Forms of the system administrator's pages (and the accounts import the security administrator uses)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.cases.models import CaseType
from portal.forms import Form, enum_options, options
from portal.org.models import Kind, Level


class ActionForm(Form):
    """A button that posts (delete, move): only the CSRF token."""


class DepartmentForm(Form):
    name = StringField("单位名称", validators=[DataRequired("请填写单位名称。"), Length(max=100)])
    parent = SelectField("上级单位", validators=[Optional()])
    level = SelectField("层级", choices=enum_options(Level), validators=[DataRequired("请选择层级。")])
    kind = SelectField("类型", choices=enum_options(Kind), validators=[DataRequired("请选择类型。")])
    active = BooleanField("启用（停用的单位不再出现在交办、登记和账户的选择中）", default=True)

    def with_parents(self, departments, exclude=None) -> DepartmentForm:
        self.parent.choices = options(
            [("", "（无，顶层单位）"), *((str(d.id), d.path) for d in departments if d.id != exclude)]
        )
        return self


class CategoryForm(Form):
    name = StringField("分类名称", validators=[DataRequired("请填写分类名称。"), Length(max=50)])
    active = BooleanField("启用", default=True)


class TemplateForm(Form):
    name = StringField("清单名称", validators=[DataRequired("请填写清单名称。"), Length(max=50)])
    case_type = SelectField("适用的信访类型", choices=enum_options(CaseType, blank="所有类型"), default="")
    leader_owned = BooleanField("领导包案清单（“五包”：交办时有包案领导的才附上，只有包案领导勾销）")


class ItemForm(Form):
    label = StringField("事项名称", validators=[DataRequired("请填写事项名称。"), Length(max=100)])
    required = BooleanField("必办（未勾销不能销号）", default=True)
    mirrors = SelectField("勾销方式", default="")

    def with_mirrors(self, choices) -> ItemForm:
        self.mirrors.choices = options([("", "由承办人手工勾销"), *choices])
        return self


class SettingForm(Form):
    value = StringField("值", validators=[Length(max=200)])


class UploadForm(Form):
    file = FileField("Excel 文件（.xlsx）", render_kw={"accept": ".xlsx"})


class ConfirmImportForm(Form):
    """The file checked by the dry run, sent back with the confirmation (nothing is kept on the server)."""

    workbook = HiddenField(validators=[DataRequired()])
