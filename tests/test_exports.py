"""The shared export cell rules (portal.exports): text is text, and what XML cannot carry is dropped."""

from io import BytesIO

from openpyxl import Workbook, load_workbook

from portal.exports import append_row, clean_text


def test_clean_text_drops_what_xml_cannot_carry_and_keeps_everything_else():
    assert clean_text("a\x00b\x0bc\x1fd\ud800e\udfff\ufffe\uffff") == "abcde"
    kept = "换行\n回车\r制表\t😀𠀀\u00a0\u2028\ufffd"
    assert clean_text(kept) == kept


def test_a_row_keeps_numbers_and_dates_and_writes_every_string_as_text():
    wb = Workbook()
    append_row(wb.active, ["=1+1", 3, None, "@cmd", "普通文字", "\ud800孤立代理"])
    out = BytesIO()
    wb.save(out)  # a lone surrogate made the save fail before

    row = next(load_workbook(BytesIO(out.getvalue())).active.iter_rows())
    assert [c.value for c in row] == ["=1+1", 3, None, "@cmd", "普通文字", "孤立代理"]
    assert [c.data_type for c in row] == ["s", "n", "n", "s", "s", "s"]
    assert [bool(c.quotePrefix) for c in row] == [True, False, False, True, False, False]
