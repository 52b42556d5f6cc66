"""阳光信访 portal: the application factory."""

from __future__ import annotations

from flask import Flask

from portal import browser_session
from portal import config as config_module
from portal.extensions import csrf, db, htmx, init_limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_mapping(config_module.load(config))
    from portal import protection

    protection.init_app(app)

    from portal import models  # noqa: F401  (register every table before migrate sees the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    browser_session.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    init_limiter(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from portal import web

    web.init_app(app)

    from portal.accounts import bp as accounts_bp
    from portal.administration import bp as administration_bp
    from portal.agents import bp as agents_bp
    from portal.api import bp as api_bp
    from portal.audit import bp as audit_bp
    from portal.cases import bp as cases_bp
    from portal.deadlines import bp as deadlines_bp
    from portal.documents import bp as documents_bp
    from portal.duty import bp as duty_bp
    from portal.grassroots import bp as grassroots_bp
    from portal.ledgers import bp as ledgers_bp
    from portal.performance import bp as performance_bp
    from portal.public import bp as public_bp
    from portal.reception import bp as reception_bp
    from portal.reports import bp as reports_bp
    from portal.screening import bp as screening_bp
    from portal.security import bp as security_bp
    from portal.stats import bp as stats_bp
    from portal.supervision import bp as supervision_bp
    from portal.work import bp as work_bp

    for bp in (
        public_bp,
        deadlines_bp,
        duty_bp,
        stats_bp,
        api_bp,
        accounts_bp,
        cases_bp,
        documents_bp,
        ledgers_bp,
        supervision_bp,
        work_bp,
        reception_bp,
        reports_bp,
        performance_bp,
        audit_bp,
        security_bp,
        administration_bp,
        agents_bp,
        screening_bp,
        grassroots_bp,
    ):
        app.register_blueprint(bp)

    from portal import cli

    cli.init_app(app)
    from portal import jobs, ops
    from portal.jobs import queue

    app.register_blueprint(jobs.bp)
    queue.init_app(app)
    from portal import notifications

    notifications.init_app(app)
    ops.init_app(app)
    return app
