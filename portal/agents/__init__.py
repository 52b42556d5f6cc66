"""Petition agents (信访代理): the agent's desk on a phone, the 五步法, and the office's pages about agents."""

from flask import Blueprint

bp = Blueprint("agents", __name__)

from portal.agents import views  # noqa: E402,F401
from portal.agents.models import can_message_agent  # noqa: E402

bp.add_app_template_global(can_message_agent, "can_message_agent")
