"""The system administrator's pages (系统管理员): the department tree, categories, checklist templates, settings, the
departments' Excel import and export — and the accounts' import and export, which belong to the security
administrator. Every page asks the user's ``can_*`` predicate (403 otherwise); the services ask it again."""

from __future__ import annotations

import base64
import binascii

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from portal.administration import bp, catalogue, setup, workbooks
from portal.administration.forms import (
    ActionForm,
    CategoryForm,
    ConfirmImportForm,
    DepartmentForm,
    ItemForm,
    SettingForm,
    TemplateForm,
    UploadForm,
)
from portal.audit.services import record_read
from portal.cases.models import CaseType, Category, ChecklistTemplate, ChecklistTemplateItem
from portal.errors import DomainError
from portal.extensions import db
from portal.localtime import today
from portal.org import services as org
from portal.org.models import Department, Kind, Level
from portal.settings import services as settings_services
from portal.settings.models import CONTACTS, GROUPS, SPECS, Setting, get_setting

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _errors(form) -> str:
    return "；".join(e for errors in form.errors.values() for e in errors)


# --- the index -----------------------------------------------------------------------------------------------
@bp.route("/")
@login_required
def index():
    _require(current_user.can_administer)
    counts = {
        "departments": db.session.execute(db.select(db.func.count(Department.id))).scalar_one(),
        "categories": db.session.execute(db.select(db.func.count(Category.id))).scalar_one(),
        "templates": db.session.execute(db.select(db.func.count(ChecklistTemplate.id))).scalar_one(),
        "settings": db.session.execute(db.select(db.func.count()).select_from(Setting)).scalar_one(),
    }
    return render_template("administration/index.html", counts=counts, specs=len(SPECS))


# --- departments ---------------------------------------------------------------------------------------------
def _all_departments() -> list[Department]:
    return list(db.session.execute(db.select(Department).order_by(Department.name)).scalars())


def _tree(departments: list[Department]) -> list[tuple[int, Department]]:
    """(depth, department) in tree order: parents before their children, each level by rank and name."""
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        children.setdefault(d.parent_id, []).append(d)
    rows: list[tuple[int, Department]] = []

    def walk(parent_id, depth):
        for d in sorted(children.get(parent_id, []), key=lambda d: (Level(d.level).rank, d.name)):
            rows.append((depth, d))
            walk(d.id, depth + 1)

    walk(None, 0)
    return rows


def _department_data(form: DepartmentForm) -> org.DepartmentData:
    parent = None
    if form.parent.data:
        parent = db.session.get(Department, int(form.parent.data))
    return org.DepartmentData(
        name=form.name.data,
        level=Level(form.level.data),
        kind=Kind(form.kind.data),
        parent=parent,
        active=form.active.data,
    )


@bp.route("/departments/", methods=["GET", "POST"])
@login_required
def departments():
    _require(current_user.can_administer)
    everything = _all_departments()
    form = DepartmentForm().with_parents(everything)
    if request.method == "GET" and (office := setup.petition_office()) is not None:
        # Most new units sit at the office's own level (a county's bureaus): start there, not at the first choice.
        form.level.data = Level(office.level).value
        form.kind.data = Kind.FUNCTIONAL.value
    error = None
    if form.validate_on_submit():
        try:
            department = org.create_department(_department_data(form), current_user)
        except DomainError as refusal:
            db.session.rollback()
            error = refusal.message
        else:
            db.session.commit()
            flash(f"已新建单位“{department.name}”。", "success")
            return redirect(url_for("administration.departments"), code=303)
    elif request.method == "POST":
        error = _errors(form)
    status = 422 if error else 200
    return render_template(
        "administration/departments.html", form=form, tree=_tree(_all_departments()), error=error
    ), status


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@login_required
def department(department_id: int):
    department = db.get_or_404(Department, department_id)
    _require(department.can_edit(current_user))
    everything = _all_departments()
    form = DepartmentForm(obj=None if request.method == "POST" else department)
    form.with_parents(everything, exclude=department.id)
    if request.method == "GET":
        form.parent.data = str(department.parent_id or "")
        form.level.data = Level(department.level).value
        form.kind.data = Kind(department.kind).value
    error = None
    if form.validate_on_submit():
        try:
            changed = org.update_department(department, _department_data(form), current_user)
        except DomainError as refusal:
            db.session.rollback()
            error = refusal.message
            department = db.get_or_404(Department, department_id)
        else:
            db.session.commit()
            flash("已保存。" if changed else "没有修改。", "success")
            return redirect(url_for("administration.department", department_id=department_id), code=303)
    elif request.method == "POST":
        error = _errors(form)
    return render_template(
        "administration/department.html",
        department=department,
        form=form,
        error=error,
        refusal=org.deletion_refusal(department),
        references=org.references(department),
        action=ActionForm(),
    ), 422 if error else 200


@bp.route("/departments/<int:department_id>/delete", methods=["POST"])
@login_required
def delete_department(department_id: int):
    department = db.get_or_404(Department, department_id)
    _require(department.can_edit(current_user))
    if not ActionForm().validate_on_submit():
        abort(400)
    name = department.name
    try:
        org.delete_department(department, current_user)
    except DomainError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("administration.department", department_id=department_id), code=303)
    db.session.commit()
    flash(f"已删除单位“{name}”。", "success")
    return redirect(url_for("administration.departments"), code=303)


# --- Excel: departments (系统管理员) and accounts (安全管理员) ---------------------------------------------------
IMPORTS = {
    "departments": {
        "title": "单位",
        "allowed": lambda user: user.can_administer,
        "layout": workbooks.DEPARTMENTS,
        "plan": workbooks.plan_departments,
        "apply": workbooks.apply_departments,
        "export": workbooks.export_departments,
    },
    "users": {
        "title": "账户",
        "allowed": lambda user: user.can_manage_accounts,
        "layout": workbooks.USERS,
        "plan": workbooks.plan_users,
        "apply": workbooks.apply_users,
        "export": workbooks.export_users,
    },
}


def _import(kind: str) -> dict:
    spec = IMPORTS.get(kind)
    if spec is None:
        abort(404)
    _require(spec["allowed"](current_user))
    return spec


def _xlsx(data, name: str):
    response = send_file(data, mimetype=XLSX, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<any(departments, users):kind>/template.xlsx")
@login_required
def import_template(kind: str):
    spec = _import(kind)
    return _xlsx(workbooks.template(spec["layout"]), f"{spec['title']}导入模板.xlsx")


@bp.route("/<any(departments, users):kind>/export.xlsx")
@login_required
def export(kind: str):
    spec = _import(kind)
    data = spec["export"]()
    if kind == "users":
        record_read("user.export", current_user)
    return _xlsx(data, f"{spec['title']}-{today():%Y%m%d}.xlsx")


def _import_page(kind: str, spec: dict, *, plan=None, data: str = "", error: str | None = None, status: int = 200):
    return (
        render_template(
            "administration/import.html",
            kind=kind,
            title=spec["title"],
            layout=spec["layout"],
            form=UploadForm(),
            confirm=ConfirmImportForm(workbook=data),
            plan=plan,
            error=error,
            max_kb=workbooks.MAX_BYTES // 1024,
        ),
        status,
        {"Cache-Control": "no-store"},
    )


@bp.route("/<any(departments, users):kind>/import", methods=["GET", "POST"])
@login_required
def import_check(kind: str):
    """The dry run: read the upload, list every problem by row, write nothing."""
    spec = _import(kind)
    if request.method == "GET":
        return _import_page(kind, spec)
    form = UploadForm()
    if not form.validate_on_submit():
        return _import_page(kind, spec, error=_errors(form), status=422)
    upload = form.file.data
    data = upload.read(workbooks.MAX_BYTES + 1) if upload else b""
    plan = spec["plan"](data)
    db.session.rollback()  # the dry run reads only; nothing it loaded may be flushed
    encoded = base64.b64encode(data).decode() if plan.ok else ""
    return _import_page(kind, spec, plan=plan, data=encoded, status=200 if plan.ok else 422)


@bp.route("/<any(departments, users):kind>/import/apply", methods=["POST"])
@login_required
def import_apply(kind: str):
    """Apply the checked file: every row or none."""
    spec = _import(kind)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return _import_page(kind, spec, error="请先上传文件并检查。", status=422)
    try:
        data = base64.b64decode(form.workbook.data, validate=True)
    except (binascii.Error, ValueError):
        return _import_page(kind, spec, error="确认的文件已损坏，请重新上传。", status=422)
    try:
        result = spec["apply"](data, current_user)
    except DomainError as refusal:
        db.session.rollback()
        return _import_page(kind, spec, plan=spec["plan"](data), error=refusal.message, status=refusal.status_code)
    db.session.commit()
    if kind == "departments":
        flash(
            f"已导入：新建{result['新建']}个单位，修改{result['修改']}个，{result['无变化']}个无变化。",
            "success",
        )
        return redirect(url_for("administration.departments"), code=303)
    # The temporary passwords are shown on this response only: never stored in clear, never sent again.
    return (
        render_template("administration/imported_users.html", created=result),
        200,
        {"Cache-Control": "no-store"},
    )


# --- categories ----------------------------------------------------------------------------------------------
def _categories() -> list[Category]:
    return list(db.session.execute(db.select(Category).order_by(Category.active.desc(), Category.name)).scalars())


def _categories_page(form, error=None, status=200):
    return render_template("administration/categories.html", form=form, categories=_categories(), error=error), status


@bp.route("/categories/", methods=["GET", "POST"])
@login_required
def categories():
    _require(current_user.can_administer)
    form = CategoryForm()
    if request.method == "GET":
        return _categories_page(form)
    if not form.validate_on_submit():
        return _categories_page(form, _errors(form), 422)
    try:
        category = catalogue.create_category(form.name.data, current_user)
    except DomainError as refusal:
        db.session.rollback()
        return _categories_page(form, refusal.message, 422)
    db.session.commit()
    flash(f"已新建分类“{category.name}”。", "success")
    return redirect(url_for("administration.categories"), code=303)


@bp.route("/categories/<int:category_id>", methods=["POST"])
@login_required
def category(category_id: int):
    _require(current_user.can_administer)
    category = db.get_or_404(Category, category_id)
    form = CategoryForm()
    if not form.validate_on_submit():
        return _categories_page(CategoryForm(formdata=None), _errors(form), 422)
    try:
        changed = catalogue.update_category(category, form.name.data, form.active.data, current_user)
    except DomainError as refusal:
        db.session.rollback()
        return _categories_page(CategoryForm(formdata=None), refusal.message, 422)
    db.session.commit()
    flash("已保存。" if changed else "没有修改。", "success")
    return redirect(url_for("administration.categories"), code=303)


# --- checklist templates -------------------------------------------------------------------------------------
def _case_type(value: str) -> CaseType | None:
    return CaseType(value) if value else None


@bp.route("/checklists/", methods=["GET", "POST"])
@login_required
def checklists():
    _require(current_user.can_administer)
    form = TemplateForm()
    error = None
    if form.validate_on_submit():
        try:
            template = catalogue.create_template(
                form.name.data, _case_type(form.case_type.data), form.leader_owned.data, current_user
            )
        except DomainError as refusal:
            db.session.rollback()
            error = refusal.message
        else:
            db.session.commit()
            flash(f"已新建办理清单“{template.name}”，请添加事项。", "success")
            return redirect(url_for("administration.checklist", template_id=template.id), code=303)
    elif request.method == "POST":
        error = _errors(form)
    templates = db.session.execute(db.select(ChecklistTemplate).order_by(ChecklistTemplate.id)).scalars().all()
    return render_template(
        "administration/checklists.html", form=form, templates=templates, error=error
    ), 422 if error else 200


def _checklist_page(template, form=None, item_form=None, error=None, status=200):
    if form is None:
        form = TemplateForm(formdata=None, obj=template)
        form.case_type.data = template.case_type.value if template.case_type else ""
    return render_template(
        "administration/checklist.html",
        template=template,
        form=form,
        item_form=item_form or ItemForm(formdata=None).with_mirrors(catalogue.mirror_choices()),
        mirrors=dict(catalogue.mirror_choices()),
        mirror_choices=catalogue.mirror_choices(),
        action=ActionForm(),
        error=error,
    ), status


@bp.route("/checklists/<int:template_id>", methods=["GET", "POST"])
@login_required
def checklist(template_id: int):
    _require(current_user.can_administer)
    template = db.get_or_404(ChecklistTemplate, template_id)
    if request.method == "GET":
        return _checklist_page(template)
    form = TemplateForm()
    if not form.validate_on_submit():
        return _checklist_page(template, form, error=_errors(form), status=422)
    try:
        changed = catalogue.update_template(
            template, form.name.data, _case_type(form.case_type.data), form.leader_owned.data, current_user
        )
    except DomainError as refusal:
        db.session.rollback()
        return _checklist_page(db.get_or_404(ChecklistTemplate, template_id), form, error=refusal.message, status=422)
    db.session.commit()
    flash("已保存。" if changed else "没有修改。", "success")
    return redirect(url_for("administration.checklist", template_id=template_id), code=303)


@bp.route("/checklists/<int:template_id>/delete", methods=["POST"])
@login_required
def delete_checklist(template_id: int):
    _require(current_user.can_administer)
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = template.name
    catalogue.delete_template(template, current_user)
    db.session.commit()
    flash(f"已删除办理清单“{name}”；已附上该清单的信访件保留各自的清单。", "success")
    return redirect(url_for("administration.checklists"), code=303)


@bp.route("/checklists/<int:template_id>/items", methods=["POST"])
@login_required
def add_item(template_id: int):
    _require(current_user.can_administer)
    template = db.get_or_404(ChecklistTemplate, template_id)
    form = ItemForm().with_mirrors(catalogue.mirror_choices())
    if not form.validate_on_submit():
        return _checklist_page(template, item_form=form, error=_errors(form), status=422)
    try:
        catalogue.add_item(template, form.label.data, form.required.data, form.mirrors.data, current_user)
    except DomainError as refusal:
        db.session.rollback()
        template = db.get_or_404(ChecklistTemplate, template_id)
        return _checklist_page(template, item_form=form, error=refusal.message, status=422)
    db.session.commit()
    flash(f"已添加事项“{form.label.data.strip()}”。", "success")
    return redirect(url_for("administration.checklist", template_id=template_id), code=303)


def _item(item_id: int) -> ChecklistTemplateItem:
    _require(current_user.can_administer)
    return db.get_or_404(ChecklistTemplateItem, item_id)


@bp.route("/checklists/items/<int:item_id>", methods=["POST"])
@login_required
def item(item_id: int):
    item = _item(item_id)
    template_id = item.template_id
    form = ItemForm().with_mirrors(catalogue.mirror_choices())
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not form.validate_on_submit():
        return _checklist_page(template, error=_errors(form), status=422)
    try:
        changed = catalogue.update_item(item, form.label.data, form.required.data, form.mirrors.data, current_user)
    except DomainError as refusal:
        db.session.rollback()
        return _checklist_page(db.get_or_404(ChecklistTemplate, template_id), error=refusal.message, status=422)
    db.session.commit()
    flash("已保存。" if changed else "没有修改。", "success")
    return redirect(url_for("administration.checklist", template_id=template_id), code=303)


@bp.route("/checklists/items/<int:item_id>/<any(up, down):direction>", methods=["POST"])
@login_required
def move_item(item_id: int, direction: str):
    item = _item(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    catalogue.move_item(item, -1 if direction == "up" else 1, current_user)
    db.session.commit()
    return redirect(url_for("administration.checklist", template_id=item.template_id), code=303)


@bp.route("/checklists/items/<int:item_id>/delete", methods=["POST"])
@login_required
def remove_item(item_id: int):
    item = _item(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    template_id, label = item.template_id, item.label
    catalogue.remove_item(item, current_user)
    db.session.commit()
    flash(f"已删除事项“{label}”。", "success")
    return redirect(url_for("administration.checklist", template_id=template_id), code=303)


# --- settings ------------------------------------------------------------------------------------------------
def _settings_page(errors: dict[str, str] | None = None, typed: dict[str, str] | None = None, status: int = 200):
    configured = {row.key: row for row in db.session.execute(db.select(Setting)).scalars()}
    groups = [(group, [spec for spec in SPECS.values() if spec.group == group]) for group in GROUPS]
    return render_template(
        "administration/settings.html",
        groups=groups,
        values={key: get_setting(key) for key in SPECS},
        configured=configured,
        errors=errors or {},
        typed=typed or {},
        form=SettingForm(formdata=None),
        action=ActionForm(),
        cadre_organs=current_app.config.get("CADRE_ORGANS", ""),
    ), status


@bp.route("/settings")
@login_required
def settings():
    _require(current_user.can_administer)
    return _settings_page()


@bp.route("/settings/<key>", methods=["POST"])
@login_required
def change_setting(key: str):
    _require(current_user.can_administer)
    if key not in SPECS:
        abort(404)
    form = SettingForm()
    if not form.validate_on_submit():
        return _settings_page({key: _errors(form)}, {key: (form.value.data or "")[:200]}, 422)
    try:
        changed = settings_services.change_setting(key, form.value.data, current_user)
    except DomainError as refusal:
        db.session.rollback()
        return _settings_page({key: refusal.message}, {key: form.value.data}, 422)
    db.session.commit()
    flash(f"已保存“{SPECS[key].label}”。" if changed else "没有修改。", "success")
    return redirect(url_for("administration.settings", _anchor=f"setting-{key}"), code=303)


@bp.route("/settings/<key>/reset", methods=["POST"])
@login_required
def reset_setting(key: str):
    _require(current_user.can_administer)
    if key not in SPECS:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    settings_services.reset_setting(key, current_user)
    db.session.commit()
    spec = SPECS[key]
    done = "公开页面不再显示此项" if spec.group == CONTACTS and not spec.default else "已恢复默认值"
    flash(f"“{spec.label}”{done}。", "success")
    return redirect(url_for("administration.settings", _anchor=f"setting-{key}"), code=303)
