"""What each audited action is called in Chinese, for the auditor's page and its export. Every action string the
code records has a label here (tests/audit/test_labels.py reads the source to make sure)."""

from __future__ import annotations

AREAS = {
    "auth": "登录与认证",
    "session": "会话",
    "user": "账号管理",
    "case": "信访件",
    "ledger": "台账",
    "duty": "接访排班",
    "reception": "接访登记",
    "calendar": "节假日",
    "sms": "短信",
    "jobs": "后台任务",
    "http": "访问控制",
    "audit": "审计",
    "keys": "密钥管理",
    "department": "单位设置",
    "category": "问题分类",
    "checklist": "清单模板",
    "setting": "系统设置",
    "system": "系统",
}

LABELS = {
    # sign-in and accounts
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.locked": "账号因多次登录失败被锁定",
    "auth.logout": "退出登录",
    "auth.factor_enrolled": "绑定第二认证因子",
    "auth.factor_enrol_failed": "绑定第二认证因子失败",
    "auth.recovery_codes": "生成恢复码",
    "auth.recovery_codes_failed": "生成恢复码失败",
    "session.end": "结束会话",
    "user.create": "创建账号",
    "user.roles": "修改角色",
    "user.enable": "启用账号",
    "user.disable": "停用账号",
    "user.import": "导入账号",
    "user.export": "导出账号列表",
    "user.unlock": "解锁账号",
    "user.password_change": "修改本人密码",
    "user.password_change_failed": "修改本人密码失败",
    "user.password_reset": "重置密码",
    "user.factor_reset": "重置两步验证",
    # cases: registration, the lifecycle's actions (portal.cases.lifecycle.ACTIONS) and what is recorded beside them
    "case.register": "登记信访件",
    "case.accept": "受理",
    "case.not_accept": "不予受理",
    "case.merge": "并案办理",
    "case.merged_in": "并入同一事项的重复信访",
    "case.forward": "转送其他机关",
    "case.assign": "交办",
    "case.assign_handler": "指定承办人",
    "case.start": "开始办理",
    "case.draft": "提交处理意见书",
    "case.sign": "署名签发",
    "case.return_draft": "退回修改",
    "case.send_back": "退回重办",
    "case.publish": "审核通过并送达",
    "case.rehandle": "责令重新办理",
    "case.to_ordinary": "简易办理转为普通程序",
    "case.request_extension": "申请延期",
    "case.approve_extension": "批准延期",
    "case.refuse_extension": "不予延期",
    "case.request_review": "申请复查",
    "case.decide_review": "出具复查意见",
    "case.request_rereview": "申请复核",
    "case.hearing": "记录听证",
    "case.decide_rereview": "出具复核意见",
    "case.supervise": "督办",
    "case.clear_unsatisfied": "说明不满意件销号理由",
    "case.mark_off": "销号",
    "case.note": "添加调查记录",
    "case.instruct": "作出批示",
    "case.follow_up": "记录回访",
    "case.tick": "勾销清单",
    "case.checklist": "勾销清单事项",
    "case.evaluate": "满意度评价",
    "case.clock_recomputed": "节假日调整后重算期限",
    "case.record_accused": "记录被检举控告对象",
    "case.confirm_petitioner": "核对信访人身份",
    "case.edit_petitioner": "修改信访人信息",
    # reads of personal or confidential data
    "case.view": "查看信访件（含信访人身份或保密件）",
    "case.identity_reveal": "显示信访人完整身份信息",
    "case.attachment": "下载或查看附件",
    "case.search": "按电话或身份证号查找信访件",
    "ledger.export": "导出台账",
    "audit.export": "导出审计日志",
    "http.forbidden": "越权访问被拒绝",
    # reception duty
    "duty.slot_created": "新增接访排班",
    "duty.slot_removed": "删除接访排班",
    "duty.slot_moved": "调整接访排班",
    "duty.slot_cancelled": "取消接访排班",
    "duty.slot_published": "公布接访排班",
    "duty.swap_requested": "申请调班",
    "duty.swap_accepted": "同意调班",
    "duty.swap_declined": "拒绝调班",
    "duty.swap_withdrawn": "撤回调班申请",
    "duty.special_period_added": "新增特殊时期",
    "duty.special_period_removed": "删除特殊时期",
    "duty.calendar_token_created": "生成排班日历订阅地址",
    "duty.calendar_token_reset": "重置排班日历订阅地址",
    "reception.open_log": "开始接访登记",
    "reception.add_entry": "登记来访事项",
    "reception.edit_entry": "修改来访事项",
    "reception.submit_log": "提交接访日志",
    "reception.correct": "更正接访日志",
    "calendar.override": "修改节假日安排",
    "calendar.override_removed": "删除节假日修改",
    "sms.deliver": "发送短信",
    "jobs.sweep": "期限巡检（到期提醒）",
    "jobs.retry": "重试失败的后台任务",
    "system.backup": "备份数据",
    "system.restore": "从备份恢复数据",
    # the system administrator's configuration
    "department.create": "新增单位",
    "department.update": "修改单位",
    "department.delete": "删除单位",
    "department.import": "导入单位",
    "category.create": "新增问题分类",
    "category.update": "修改问题分类",
    "checklist.create": "新增清单模板",
    "checklist.update": "修改清单模板",
    "checklist.delete": "删除清单模板",
    "checklist.item_add": "新增清单模板事项",
    "checklist.item_update": "修改清单模板事项",
    "checklist.item_move": "调整清单模板事项顺序",
    "checklist.item_remove": "删除清单模板事项",
    "setting.change": "修改系统设置",
    "setting.reset": "恢复系统设置默认值",
    "system.setup": "系统初始化",
    "keys.rotate": "轮换个人信息加密密钥",
}


def label(action: str) -> str:
    """The Chinese name of ``action``; an action without one shows as itself (the test keeps that from happening)."""
    return LABELS.get(action, action)


def area(action: str) -> str:
    return AREAS.get(action.partition(".")[0], "其他")


def matching(text: str) -> list[str]:
    """The actions whose label (or code) contains ``text``: the auditor types 销号 or 登录, not ``case.mark_off``."""
    text = text.strip()
    return [code for code, name in LABELS.items() if text and (text in name or text in code)]
