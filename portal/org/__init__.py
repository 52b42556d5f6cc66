"""The organisation: departments in a tree of levels (市 / 县 / 乡镇 / 村)."""
