"""No input yields a 500: every route of ``app.url_map``, GET and POST, anonymous and signed in, with hostile
values in path converters, query strings, form fields and JSON bodies (NUL, control characters, non-BMP text,
10^20, negative numbers, the first and last date a calendar has, 100 kB strings). On PostgreSQL as well when
TEST_DATABASE_URL is set: PostgreSQL refuses NUL in text and integers beyond 32 bits, where SQLite shrugs.

The walk is driven by the pages themselves: it signs in, follows the links and reads the forms each page offers
(their real fields, their real action URLs), so a new route or a new field is walked without touching this file;
every rule of the URL map is asked at least once even when no page links to it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from portal.accounts.models import Role
from portal.cases.models import Status
from portal.duty.models import DutySlot, Form, Period
from portal.extensions import db
from portal.localtime import today
from tests import factories
from tests.factories import make_case

HOSTILE = {
    "NUL": "x\x00y",
    "control characters": "\x01\x08\x0b\x1b\x7f",
    "non-BMP": "😀𠀀",
    "10^20": str(10**20),
    "-1": "-1",
    "2^31": "2147483648",
    "0001-01-01": "0001-01-01",
    "9999-12-31": "9999-12-31",
    # ASCII after one Chinese character: the test client percent-decodes a URL several times, and 100 kB of
    # three-byte characters made that, not the portal, take most of the run.
    "100 kB": "长" + "x" * 100_000,
}
# Which values each kind of field gets, one field at a time while the others keep the page's own values — so a
# hostile date reaches the computation behind a valid rule, and a hostile note the database behind a valid version.
BY_KIND = {
    "text": ("NUL", "control characters", "non-BMP", "100 kB"),
    "number": ("10^20", "2^31", "-1", "NUL"),
    "date": ("0001-01-01", "9999-12-31", "NUL"),
    "choice": ("10^20", "2^31", "NUL", "non-BMP"),
}
KINDS = {
    "textarea": "text",
    "text": "text",
    "search": "text",
    "tel": "text",
    "email": "text",
    "password": "text",
    "url": "text",
    "number": "number",
    "date": "date",
    "month": "date",
    "week": "date",
    "time": "date",
    "datetime-local": "date",
}
# Query parameters views read without a form (request.args.get): asked together on every GET page.
QUERY_NAMES = (
    "page",
    "q",
    "sort",
    "status",
    "department",
    "start",
    "rule",
    "day",
    "month",
    "year",
    "view",
    "back",
    "next",
    "phone",
    "id_number",
    "repeat_of_id",
    "action",
)
# (100 kB goes into each form field in turn instead: seventeen of them at once made this the slowest part.)
QUERY_VALUES = ("NUL", "10^20", "-1", "9999-12-31")
PATH_VALUES = {
    "int": ("10^20", "2^31"),  # the int converter takes no sign: anything else is a 404 before any view runs
    "default": ("NUL", "control characters", "non-BMP", "10^20", "0001-01-01", "9999-12-31", "100 kB"),
}
SKIP = {"static", "accounts.logout"}  # logging out would end the walk, not find a 500
MAX_PAGES_PER_ENDPOINT = {"cases.detail": 4}  # each case state offers other forms


@dataclass
class PageForm:
    action: str
    method: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, kind, the page's value)


class _Reader(HTMLParser):
    """Links and forms of a page, as a browser without JavaScript would use them."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url, self.links, self.forms = url, [], []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._select_has_value = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for key in ("hx-get",):
            if a.get(key):
                self.links.append(a[key])
        if tag == "form":
            self._form = PageForm(a.get("action") or self.url, (a.get("method") or "get").upper())
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select and not self._select_has_value:
                self._form.fields.append((self._select, "select", a.get("value", "")))
                self._select_has_value = True
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "reset", "image"):
                return
            if kind in ("checkbox", "radio") and any(f[0] == a["name"] for f in self._form.fields):
                return
            self._form.fields.append((a["name"], kind, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._form.fields.append((a["name"], "textarea", ""))
        elif tag == "select":
            self._select, self._select_has_value = a["name"], False

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


@dataclass
class Walk:
    client: object
    app: object
    failures: list[str] = field(default_factory=list)
    asked: set[str] = field(default_factory=set)  # endpoints that got at least one request

    def request(self, method: str, path: str, label: str, **kwargs):
        try:
            response = self.client.open(path, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001  (TESTING propagates the exception a 500 would have hidden)
            self.failures.append(f"{method} {_short(path)} [{label}]: {type(error).__name__}: {str(error)[:200]}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{method} {_short(path)} [{label}]: {response.status_code}")
        return response

    def match(self, path: str, method: str):
        adapter = self.app.url_map.bind("localhost")
        try:
            return adapter.match(path, method)
        except (HTTPException, RequestRedirect):
            return None


def _short(path: str) -> str:
    return path if len(path) < 120 else path[:100] + f"…({len(path)} chars)"


def _template(rule, values: dict[str, str]) -> str:
    """The rule's path with each argument replaced by ``values[name]`` (percent-encoded as a browser would)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: quote(values[m.group(1)], safe=""), rule.rule)


def _crawl(walk: Walk, prefix: str) -> tuple[dict[str, list[tuple[str, dict]]], list[PageForm]]:
    """GET every page under ``prefix`` reachable from the argument-free routes; the pages by endpoint, the forms."""
    rules = [r for r in walk.app.url_map.iter_rules() if r.endpoint not in SKIP]
    queue = [r.rule for r in rules if not r.arguments and "GET" in r.methods]
    pages: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    forms: list[PageForm] = []
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen or not path.startswith(prefix):
            continue
        seen.add(path)
        matched = walk.match(path, "GET")
        if matched is None or matched[0] in SKIP:
            continue
        endpoint, args = matched
        if len(pages[endpoint]) >= MAX_PAGES_PER_ENDPOINT.get(endpoint, 1):
            continue
        response = walk.request("GET", url, "crawl")
        walk.asked.add(endpoint)
        if response is None or response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages[endpoint].append((path, args))
        reader = _Reader(path)
        reader.feed(response.get_data(as_text=True))
        queue += [link for link in reader.links if not urlsplit(link).netloc]
        forms += reader.forms
    return pages, forms


def _distinct(forms: list[PageForm], method: str) -> list[PageForm]:
    """One form per action (ids aside) and set of fields."""
    kept, keys = [], set()
    for form in forms:
        key = (re.sub(r"/\d+", "/N", urlsplit(form.action).path), tuple(f[0] for f in form.fields))
        if form.method == method and key not in keys:
            keys.add(key)
            kept.append(form)
    return kept


def _one_field_at_a_time(form: PageForm):
    """(label, data): each field in turn with each value for its kind, the other fields as the page filled them."""
    own = {name: value for name, kind, value in form.fields if kind != "file"}
    for name, kind, _ in form.fields:
        if kind == "file":
            continue
        for label in BY_KIND[KINDS.get(kind, "choice")]:
            yield f"{name}={label}", {**own, name: HOSTILE[label]}


def _hostile_forms(walk: Walk, forms: list[PageForm]):
    for method in ("GET", "POST"):
        for form in _distinct(forms, method):
            path = urlsplit(form.action).path
            matched = walk.match(path, method)
            if matched is None or matched[0] in SKIP:
                continue
            walk.asked.add(matched[0])
            for label, data in _one_field_at_a_time(form):
                if method == "GET":
                    walk.request("GET", path, label, query_string=data)
                else:
                    walk.request("POST", path, label, data=data)


def _hostile_queries(walk: Walk, pages):
    """The parameters views read without a form, all at once, on every page."""
    for found in pages.values():
        if found:
            for label in QUERY_VALUES:
                walk.request(
                    "GET", found[0][0], f"query={label}", query_string=dict.fromkeys(QUERY_NAMES, HOSTILE[label])
                )


def _hostile_paths(walk: Walk, pages, prefix: str):
    """Each argument of each rule replaced by each hostile value, the other arguments kept from a real page."""
    for rule in walk.app.url_map.iter_rules():
        if rule.endpoint in SKIP or not rule.arguments or not rule.rule.startswith(prefix):
            continue
        known = (pages.get(rule.endpoint) or [(None, {})])[0][1]
        base = {name: str(known.get(name, "1")) for name in rule.arguments}
        converters = {name: type(c).__name__ for name, c in rule._converters.items()}
        for method in sorted(rule.methods & {"GET", "POST"}):
            for name in sorted(rule.arguments):
                kind = "int" if converters[name] == "IntegerConverter" else "default"
                for label in PATH_VALUES[kind]:
                    walk.request(method, _template(rule, {**base, name: HOSTILE[label]}), f"{name}={label}")
        walk.asked.add(rule.endpoint)


def _hostile_json(walk: Walk):
    """The JSON API, each field its OpenAPI document names in turn, with every value and a lone surrogate."""
    document = walk.client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    values = {**HOSTILE, "lone surrogate": "\ud800"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            rule_path = re.sub(r"\{[^}]+\}", "1", path)
            if method == "get":
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
                for name in names:
                    for label, value in values.items():
                        query = urlencode({name: value}, errors="surrogatepass")
                        walk.request("GET", f"{rule_path}?{query}", f"{name}={label}")
            elif method == "post":
                ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                names = list(schemas[ref.rsplit("/", 1)[1]]["properties"])
                for name in names:
                    for label, value in values.items():
                        body = json.dumps({**dict.fromkeys(names, "1"), name: value})  # ASCII escapes keep \ud800
                        walk.request("POST", rule_path, f"{name}={label}", data=body, content_type="application/json")
            matched = walk.match(rule_path, method.upper())
            if matched:
                walk.asked.add(matched[0])


def _leftovers(walk: Walk, prefix: str):
    """Routes no page led to (POST-only actions without a form on the pages walked): the query names as fields."""
    for rule in walk.app.url_map.iter_rules():
        if rule.endpoint in SKIP or rule.endpoint in walk.asked or not rule.rule.startswith(prefix):
            continue
        path = _template(rule, dict.fromkeys(rule.arguments, "1"))
        for method in sorted(rule.methods & {"GET", "POST"}):
            for label in QUERY_VALUES:
                fields = dict.fromkeys(QUERY_NAMES, HOSTILE[label])
                if method == "GET":
                    walk.request(method, path, f"query={label}", query_string=fields)
                else:
                    walk.request(method, path, f"fields={label}", data=fields)
        walk.asked.add(rule.endpoint)


def _seed(world):
    """Cases in the states whose pages offer the most forms, a published duty slot, a security administrator."""
    for status in (Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REPLIED):
        make_case(world, status, commit=False)
    day = today() + dt.timedelta(days=3)
    db.session.add(
        DutySlot(
            day=day,
            period=Period.MORNING,
            leader=world.leader,
            place="县人民来访接待中心",
            form=Form.FIXED,
            topics="信访",
            published=True,
        )
    )
    factories.user("security", Role.SECURITY_ADMIN, department=world.office, name="周安全")


# Anonymous: the public pages and the API, and every staff URL (which must send it to sign in, not fail); signed
# in: the staff pages, as the petition office's clerk (cases, ledgers, duty, reception) and as each of the three
# administrators (configuration, the audit log, accounts and sessions).
@pytest.mark.parametrize("who", [None, "clerk", "admin", "auditor", "security"])
def test_no_route_answers_500_to_hostile_input(app, client, seed, auth, who):
    seed(_seed)
    prefix = "/staff/" if who else "/"
    if who:
        assert auth.login(who).status_code == 303
    walk = Walk(client, app)

    pages, forms = _crawl(walk, prefix)
    _hostile_forms(walk, forms)
    _hostile_queries(walk, pages)
    _hostile_paths(walk, pages, prefix)
    if who is None:
        _hostile_json(walk)
    _leftovers(walk, prefix)

    assert not walk.failures, "\n".join(walk.failures)
    every = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith(prefix)} - SKIP
    assert every <= walk.asked, f"never asked: {sorted(every - walk.asked)}"
