"""Case search for staff: one box for a petitioner's name (prefix), phone or ID number (exact, as typed), a tracking
code or words of a title. Every kind is served by an index on SQLite and PostgreSQL alike, never a scan of cases."""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import User
from portal.audit.services import record
from portal.cases.codes import normalise_tracking_code
from portal.cases.models import Case, Petitioner
from portal.errors import DomainError
from portal.extensions import db
from portal.protection import matches
from portal.validation import id_number_problem, phone_problem

MAX_LENGTH = 50  # the box's own limit (CaseFilterForm.q); a longer text is no search a clerk meant
PER_PAGE = 30
MAX_PAGE = 1000  # beyond it the offset would be absurd (and overflow SQLite's integers long before)


class CaseTerm(db.Model):
    """One searchable term of a case: a two-character sequence (bigram) of its title, or the six random characters
    of its tracking code. Chinese words are mostly two characters, too short for trigram indexes (pg_trgm), so
    titles are cut into bigrams; the table works the same on both databases and its indexes serve the search.
    Each row carries its case's received date (收到之日, fixed once registered), so that the newest cases holding a
    term are read from an index in the case list's own order and the reading stops when a page is full.
    Written by the listeners below when a case is inserted or its title, code or date changes: no other module
    writes it."""

    __tablename__ = "case_terms"
    __table_args__ = (Index("ix_case_terms_term_received", "term", "received_on", "case_id"),)

    term: Mapped[str] = mapped_column(String(20), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, index=True)
    received_on: Mapped[dt.date]


# --- what is indexed -------------------------------------------------------------------------------------------
_RUN = re.compile(r"\w+")  # letters (Han included) and digits; spaces and punctuation end a run


def fold(text: str) -> str:
    """The form in which text is indexed and searched: full-width letters and digits as ASCII, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def bigrams(text: str) -> set[str]:
    """``电梯停运`` → {电梯, 梯停, 停运}: every two adjacent characters inside a run of letters and digits."""
    return {run[i : i + 2] for run in _RUN.findall(fold(text)) for i in range(len(run) - 1)}


def code_term(tracking_code: str) -> str:
    """``XF20261122-7K3Q9M`` → ``7K3Q9M``: the part a clerk reads out; the whole code has its unique index."""
    return tracking_code.partition("-")[2].upper()


def case_terms(title: str, tracking_code: str) -> set[str]:
    return bigrams(title) | ({code_term(tracking_code)} - {""})


def _write_terms(connection, case: Case) -> None:
    connection.execute(db.delete(CaseTerm).where(CaseTerm.case_id == case.id))
    terms = case_terms(case.title or "", case.tracking_code or "")
    if terms:
        rows = [{"term": t, "case_id": case.id, "received_on": case.received_on} for t in sorted(terms)]
        connection.execute(db.insert(CaseTerm), rows)


@event.listens_for(Case, "after_insert")
def _index_new_case(mapper, connection, case: Case) -> None:
    _write_terms(connection, case)


@event.listens_for(Case, "after_update")
def _reindex_changed_title(mapper, connection, case: Case) -> None:
    state = db.inspect(case)
    if any(state.attrs[name].history.has_changes() for name in ("title", "tracking_code", "received_on")):
        _write_terms(connection, case)


@event.listens_for(Case, "after_delete")
def _forget_deleted_case(mapper, connection, case: Case) -> None:
    # PostgreSQL cascades the foreign key; SQLite does not enforce it.
    connection.execute(db.delete(CaseTerm).where(CaseTerm.case_id == case.id))


# --- what the clerk typed --------------------------------------------------------------------------------------
class Kind(enum.StrEnum):
    TRACKING_CODE = "tracking_code"
    PHONE = "phone"
    ID_NUMBER = "id_number"
    NAME = "name"  # one character: only the beginning of a petitioner's name
    NAME_OR_TITLE = "name_or_title"  # one word of letters: a name (张三) or a title word (电梯) alike
    TITLE = "title"
    INCOMPLETE = "incomplete"  # a long run of digits that is neither a phone nor an ID number yet

    @property
    def label(self) -> str:
        return {
            "tracking_code": "按信访件编号",
            "phone": "按信访人电话",
            "id_number": "按信访人身份证号",
            "name": "按信访人姓名开头",
            "name_or_title": "按信访人姓名开头或标题",
            "title": "按标题关键词（或编号片段）",
            "incomplete": "",
        }[self.value]

    @property
    def identity(self) -> bool:
        """Searching by who the petitioner is: only cases whose petitioner the user may see are found."""
        return self in (Kind.PHONE, Kind.ID_NUMBER, Kind.NAME, Kind.NAME_OR_TITLE)


@dataclass(frozen=True)
class Term:
    kind: Kind
    value: str  # the tracking code, the phone's digits, the ID number, or the name prefix
    words: tuple[str, ...] = ()  # folded title words of two or more characters
    notice: str = ""  # what the page should tell the clerk about how the term was read

    @property
    def masked(self) -> str:
        """For the audit trail: enough to recognise the search, not the number itself."""
        if self.kind in (Kind.PHONE, Kind.ID_NUMBER):
            return self.value[:3] + "*" * (len(self.value) - 7) + self.value[-4:]
        return self.value


_TRACKING = re.compile(r"XF(\d{8})-?([0-9A-Z]{6})")
_NUMBER_NOISE = re.compile(r"[\s\-()（）.·]")  # what people type between the digits of a phone or ID number
_ID_LIKE = re.compile(r"\d{17}[\dX]")
_DIGITS = re.compile(r"\+?\d+")
_CODE_PART = re.compile(r"[0-9A-Z]{6}")
_NAME_LIKE = re.compile(r"[^\W\d_]+(?:[·•][^\W\d_]+)*")  # letters, and the middle dot of 阿依古丽·买买提


def tracking_code(raw: str | None) -> str | None:
    """The whole tracking code ``raw`` is, however typed (spaces, hyphens, lower case), else None."""
    match = _TRACKING.fullmatch(_NUMBER_NOISE.sub("", unicodedata.normalize("NFKC", raw or "")).upper())
    return normalise_tracking_code(f"XF{match[1]}-{match[2]}") if match else None


def words_of(raw: str | None) -> tuple[str, ...]:
    """The folded words of ``raw`` that have a term (two characters or more), each once."""
    return tuple(dict.fromkeys(w for w in fold(raw or "").split() if bigrams(w)))


def classify(raw: str | None) -> Term | None:
    """Read what the clerk typed; None for an empty box. Text no search could mean is refused (DomainError, 422)."""
    text = _clean(raw)
    if not text:
        return None
    compact = _NUMBER_NOISE.sub("", text).upper()
    if match := _TRACKING.fullmatch(compact):
        return Term(Kind.TRACKING_CODE, normalise_tracking_code(f"XF{match[1]}-{match[2]}"))
    if _ID_LIKE.fullmatch(compact):
        problem = id_number_problem(compact)
        return Term(Kind.ID_NUMBER, compact, notice=f"注意：{problem}" if problem else "")
    if _DIGITS.fullmatch(compact):
        digits = _phone_digits(compact)
        if not phone_problem(digits):
            return Term(Kind.PHONE, digits)
        if len(digits) >= 7:
            return Term(
                Kind.INCOMPLETE,
                digits,
                notice="电话号码请输入完整的11位手机号或带区号的固定电话，身份证号请输入完整的18位，才能查找。",
            )
    words = tuple(dict.fromkeys(w for w in fold(text).split() if bigrams(w)))
    if _NAME_LIKE.fullmatch(text):
        if len(text) == 1:
            return Term(
                Kind.NAME, text, notice="只输入一个字时，仅按信访人姓名的第一个字查找；按标题查找请至少输入两个字。"
            )
        return Term(Kind.NAME_OR_TITLE, text, words=words)
    if not words:
        raise DomainError("请至少输入两个连续的文字或数字，或者完整的电话号码、身份证号、信访件编号。")
    return Term(Kind.TITLE, " ".join(words), words=words)


def _clean(raw: str | None) -> str:
    too_long = DomainError(f"搜索内容不能超过{MAX_LENGTH}个字。")
    if len(raw or "") > MAX_LENGTH * 4:  # refused before any work; spaces trimmed below may bring the rest under
        raise too_long
    # NFKC: the full-width digits, letters and space of a Chinese input method read as their ASCII forms.
    text = unicodedata.normalize("NFKC", raw or "")
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cs"):
            raise DomainError("搜索内容含有无法识别的控制字符，请重新输入。")
        elif unicodedata.category(char) != "Cf":  # zero-width spaces and marks pasted from elsewhere
            kept.append(char)
    text = " ".join("".join(kept).split())
    if len(text) > MAX_LENGTH:
        raise too_long
    return text


def _phone_digits(compact: str) -> str:
    """``+86 138 0013 8000``, ``138-0013-8000``, ``(0731)12345678`` → their digits, without the country code."""
    digits = compact.removeprefix("+")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) in (11, 12) and digits[len(prefix)] in "01":
            return digits[len(prefix) :]
    return digits


def petitioner_match(term: Term):
    """The one place that decides which column a phone or ID number is compared with: phone and ID number are
    encrypted at rest, so the keyed digest (blind index) of the canonical value, whose column is indexed. A landline
    stored with or without the hyphen after its area code has the same digest (portal.protection.columns)."""
    if term.kind is Kind.PHONE:
        return matches(Petitioner.phone_index, "phone", term.value)
    if term.kind is Kind.ID_NUMBER:
        return matches(Petitioner.id_number_index, "id_number", term.value)
    return name_prefix(term.value)


def name_prefix(prefix: str):
    """Names that start with ``prefix``, as a range over code points: [prefix, prefix with its last character
    raised by one). SQLite's BINARY collation and the C collation of ``petitioners.name`` on PostgreSQL both order
    by code point, so the plain index on the name serves it whatever the database's locale. (LIKE 'x%' is not
    served on PostgreSQL under a non-C collation, nor on SQLite, whose LIKE ignores case; and a range under a
    pinyin collation would be the wrong set.)"""
    return db.and_(Petitioner.name >= prefix, Petitioner.name < _successor(prefix))


def _successor(prefix: str) -> str:
    """The smallest string above every string that starts with ``prefix``."""
    while prefix:
        last = ord(prefix[-1]) + 1
        if last == 0xD800:  # surrogates cannot be stored; the next character is U+E000
            last = 0xE000
        if last <= 0x10FFFF:
            return prefix[:-1] + chr(last)
        prefix = prefix[:-1]
    return "\U0010ffff"


# --- the statement ---------------------------------------------------------------------------------------------
def _checked(clause):
    """``clause`` checked on the rows the search index found, never used to find them. Without it a planner that
    has no statistics (SQLite's default) prefers the department indexes of ``Case.visible_to`` and reads all of a
    department's cases; the same clause inside COALESCE is no index condition on either database."""
    return db.func.coalesce(clause, db.false(), type_=db.Boolean)


def _sort_key(column):
    """``column`` for ORDER BY only, in a form no index can deliver in order. Given ``received_on`` itself, a
    planner may walk the whole date index newest first, probing each case against the search until a page is full
    (PostgreSQL did, for a one-character name: 2.3 s over a million cases) instead of sorting the few it found."""
    return db.func.coalesce(column, column)


def _petitioners_cases(user: User, term: Term, where=()):
    """Ids of the cases of the petitioners that match; only cases whose petitioner the user may know (and that
    ``where`` allows)."""
    petitioners = db.select(Petitioner.id).where(petitioner_match(term))
    return (
        db.select(Case.id)
        .where(Case.petitioner_id.in_(petitioners), _checked(db.and_(Case.identity_visible_to(user), *where)))
        .correlate(None)
    )


def _newest_with_term(user: User, term: str, where, reach: int):
    """Ids of the ``reach`` newest cases indexed under ``term`` that ``user`` may see and ``where`` allows, read
    from ``ix_case_terms_term_received`` newest first, each case checked as it is read, and stopped at ``reach``: a
    common word (工资: 26,000 of the bench's million cases) no longer fetches and sorts every case that holds it
    to show thirty. The same order as the page (received, then id), so these are exactly the page's candidates."""
    newest = (
        db.select(CaseTerm.case_id)
        .join(Case, Case.id == CaseTerm.case_id)
        .where(CaseTerm.term == term, _checked(db.and_(Case.visible_to(user), *where)))
        .order_by(CaseTerm.received_on.desc(), CaseTerm.case_id.desc())
        .limit(reach)
        .subquery()
    )
    return db.select(newest.c.case_id)  # selected from: SQLite refuses ORDER BY and LIMIT on a member of a UNION


def _word_cases(word: str):
    """Ids of the cases whose title holds every bigram of ``word``, or whose tracking code ends in it."""
    grams = sorted(bigrams(word))
    branches = []
    if len(grams) == 1:
        branches.append(db.select(CaseTerm.case_id).where(CaseTerm.term == grams[0]))
    elif grams:
        having = db.select(CaseTerm.case_id).where(CaseTerm.term.in_(grams)).group_by(CaseTerm.case_id)
        branches.append(having.having(db.func.count() == len(grams)))
    if _CODE_PART.fullmatch(word.upper()):
        branches.append(db.select(CaseTerm.case_id).where(CaseTerm.term == word.upper()))
    return branches[0] if len(branches) == 1 else db.union(*branches)


def _one_term(words: tuple[str, ...]) -> str | None:
    """The term itself when ``words`` is a single two-character word, the commonest search: one term of the index
    answers it alone (``words`` hold two characters or more, see ``words_of``)."""
    return words[0] if len(words) == 1 and len(words[0]) <= 2 else None


def title_cases(words: tuple[str, ...]):
    """Ids of the cases whose title holds every one of ``words`` (or whose tracking code ends in it), from the
    term index: the case search and the ledgers' search box alike."""
    if (term := _one_term(words)) is not None:
        return _word_cases(term)
    stmt = db.select(Case.id).where(*(Case.id.in_(_word_cases(w)) for w in words)).correlate(None)
    # The bigrams of a longer word may sit apart in a title: keep the titles (or codes) that hold the word itself.
    # A filter on the few rows the index found, not a scan.
    for word in (w for w in words if len(w) > 2):
        stmt = stmt.where(
            db.or_(Case.title.icontains(word, autoescape=True), Case.tracking_code.icontains(word, autoescape=True))
        )
    return stmt


def _title_ids(user: User, words: tuple[str, ...], where, reach: int):
    """Ids of the cases whose titles hold ``words``: for a single two-character word only the ``reach`` newest the
    user may see (read in order and cut there); for longer or several words every match (``title_cases``)."""
    if (term := _one_term(words)) is not None:
        return _newest_with_term(user, term, where, reach)
    return title_cases(words)


def statement(user: User, term: Term, *, where=(), reach: int = PER_PAGE + 1):
    """The cases ``term`` finds that ``user`` may see and ``where`` (conditions on the case, e.g. a status filter)
    allows, the newest first (received, then registered). ``reach``: how many of the newest a page needs (its
    offset, its rows and one more), for the one search that can match a large share of the cases, a single
    two-character word, whose candidates are read in order and cut there."""
    if term.kind is Kind.TRACKING_CODE:
        ids = db.select(Case.id).where(Case.tracking_code == term.value).correlate(None)
    elif term.kind in (Kind.PHONE, Kind.ID_NUMBER, Kind.NAME):
        ids = _petitioners_cases(user, term, where)
    elif term.kind is Kind.NAME_OR_TITLE:
        ids = db.union(_petitioners_cases(user, term, where), _title_ids(user, term.words, where, reach))
    elif term.kind is Kind.TITLE:
        ids = _title_ids(user, term.words, where, reach)
    else:
        ids = db.select(Case.id).where(db.false())
    return (
        db.select(Case)
        .where(Case.id.in_(ids), _checked(Case.visible_to(user)), *where)
        .order_by(_sort_key(Case.received_on).desc(), Case.id.desc())
        # Loaded for the page's rows once it is cut, instead of joined to every match before the sort.
        .options(db.selectinload(Case.petitioner), db.selectinload(Case.department), db.selectinload(Case.category))
    )


# --- the result ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    """One page of results, with the names of flask_sqlalchemy's Pagination that the case table uses. One extra
    row is fetched to know whether a next page exists, so no second query counts them all."""

    items: list[Case]
    page: int
    per_page: int
    has_next: bool
    total: None = None

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def pages(self) -> int:
        # Known only as far as this page reaches; the pager needs no more than "is there another".
        return self.page + 1 if self.has_next else self.page


def page_number(value) -> int:
    """The ``page`` argument as a page number: garbage reads as 1, an absurd number as the last allowed."""
    try:
        number = int(str(value or "1").strip())
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def cut(stmt, page: int, per_page: int = PER_PAGE) -> Page:
    """One page of ``stmt`` and whether another follows, in one query: nothing counts every matching case."""
    rows = list(db.session.execute(stmt.offset((page - 1) * per_page).limit(per_page + 1)).unique().scalars())
    return Page(items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page)


def search(user: User, term: Term, *, page: int = 1, per_page: int = PER_PAGE, where=()) -> Page:
    """Run ``term`` for ``user`` (with extra conditions on the case, e.g. a status filter) and return one page.
    A search by phone or ID number reads personal data: it leaves an audit row with the number masked. Flushes,
    never commits."""
    result = cut(statement(user, term, where=where, reach=page * per_page + 1), page, per_page)
    if term.kind in (Kind.PHONE, Kind.ID_NUMBER):
        record("case.search", user, kind=term.kind.value, term=term.masked, page=page, found=len(result.items))
        db.session.flush()
    return result
