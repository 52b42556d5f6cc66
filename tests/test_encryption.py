"""Personal data at rest (issue 11): ID numbers, phones and addresses never reach the database or the upload folder
in clear; search and repeat detection still find them by blind index; keys rotate; files are owner-only."""

from __future__ import annotations

import base64
import datetime as dt
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.cases import attachments, search
from portal.cases import services as case_services
from portal.cases.models import Attachment, Petitioner
from portal.extensions import db
from portal.localtime import as_of
from portal.protection import EncryptedString, Unreadable, blind_index, cipher, keyring
from portal.protection.files import private_dir, private_sqlite_file, write_private
from portal.protection.keys import KeySettingError, keyring_from, parse_key
from portal.protection.rotation import pending, rotate
from portal.sms.models import SmsMessage
from tests import factories
from tests.conftest import BASE_CONFIG

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
LANDLINE = "0731-88886666"
ADDRESS = "城关镇幸福路1号"  # what factories.register gives
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16 + "县里的秘密材料".encode()
KEY_A, KEY_B, KEY_C, KEY_D = ("a1" * 32), ("b2" * 32), ("c3" * 32), ("d4" * 32)


@pytest.fixture
def app_config(database_url) -> dict:
    return {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "DATA_KEY": KEY_A, "INDEX_KEY": KEY_B}


def other_app(database_url, **settings):
    """A second app on the same database with other key settings (the test disposes of it)."""
    return create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **settings})


def register(world, **kwargs):
    case, _ = factories.register(world, phone=PHONE, id_number=ID_NUMBER, **kwargs)
    db.session.commit()
    return case


def raw_rows(table: str, *columns: str) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table}"))]


def plaintexts() -> list[str]:
    return [ID_NUMBER, PHONE, ADDRESS, "1391234", "幸福路1号"]


# --- nothing in clear -------------------------------------------------------------------------------------------
def test_a_submitted_id_number_phone_and_address_are_not_in_the_database_file(app, client, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("reads the SQLite file; PostgreSQL is checked by raw SELECTs below")
    response = client.post(
        "/submit",
        data={
            "name": "王五",
            "phone": PHONE,
            "id_number": ID_NUMBER,
            "address": ADDRESS,
            "case_type": "claim",
            "category_id": "0",
            "title": "小区电梯长期停运",
            "content": "电梯停运三个月，物业不予维修。",
            "consent": "y",
        },
    )
    assert response.status_code in (200, 201, 303), response.get_data(as_text=True)[:500]
    with app.app_context():
        petitioner = db.session.execute(sa.select(Petitioner)).scalar_one()
        assert (petitioner.phone, petitioner.id_number, petitioner.address) == (PHONE, ID_NUMBER, ADDRESS)
        db.session.remove()
        db.engine.dispose()  # everything on disk, nothing left in a connection's cache
    path = Path(database_url[len("sqlite:///") :])
    data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for secret in plaintexts():
        assert secret.encode() not in data, secret
    assert "王五".encode() in data  # names stay in clear (searched by prefix behind access control)


def test_raw_selects_see_only_ciphertext_in_every_table_that_holds_contact_details(world):
    register(world)
    petitioner = db.session.execute(sa.select(Petitioner)).scalar_one()
    db.session.add(SmsMessage(phone=PHONE, text=f"您好，{ADDRESS}的来信已登记。"))
    db.session.commit()

    stored = raw_rows("petitioners", "phone", "id_number", "address", "phone_index", "id_number_index")
    stored += raw_rows("sms_messages", "phone", "text")
    flat = " ".join(str(value) for row in stored for value in row)
    for secret in plaintexts():
        assert secret not in flat, secret
    token = stored[0][0]
    assert base64.b64decode(token)[:2] == bytes([cipher.VERSION, 1])  # SM4-GCM by default
    # The model reads them back as typed.
    db.session.expire_all()
    assert (petitioner.phone, petitioner.id_number, petitioner.address) == (PHONE, ID_NUMBER, ADDRESS)


def test_reception_entries_keep_phone_id_number_and_address_encrypted(world):
    from portal.reception import services as reception
    from portal.reception.models import Handling, ReceptionEntry
    from tests.reception.conftest import DAY, make_slot, visitor

    slot = make_slot(world.leader)
    db.session.commit()
    with as_of(dt.datetime(DAY.year, DAY.month, DAY.day, 10, 0)):
        entry, _ = reception.add_entry(
            slot,
            world.leader,
            visitor(phone=PHONE, id_number=ID_NUMBER, address=ADDRESS),
            handling=Handling.ANSWERED,
            answer="当场答复。",
        )
    db.session.commit()
    flat = " ".join(str(v) for row in raw_rows("reception_entries", "phone", "id_number", "address") for v in row)
    for secret in plaintexts():
        assert secret not in flat, secret
    db.session.expire_all()
    again = db.session.get(ReceptionEntry, entry.id)
    assert (again.phone, again.id_number, again.address) == (PHONE, ID_NUMBER, ADDRESS)


def test_two_petitioners_with_the_same_phone_store_different_ciphertext_and_the_same_index(world):
    factories.register(world, phone=PHONE, petitioner_name="甲")
    factories.register(world, phone=PHONE, petitioner_name="乙")
    db.session.commit()
    rows = raw_rows("petitioners", "phone", "phone_index")
    assert len(rows) == 2
    assert rows[0][0] != rows[1][0]  # a fresh nonce for every value
    assert rows[0][1] == rows[1][1] == blind_index("phone", PHONE)


def test_an_encrypted_column_refuses_a_comparison_that_could_never_match(ctx):
    with pytest.raises(TypeError, match="blind index"):
        db.select(Petitioner).where(Petitioner.phone == PHONE)
    with pytest.raises(TypeError):
        db.select(Petitioner).filter_by(id_number=ID_NUMBER)
    assert "IS NOT NULL" in str(db.select(Petitioner).where(Petitioner.phone.is_not(None)))


def test_an_altered_value_does_not_open(ctx):
    token = cipher.seal_text(keyring(), PHONE)
    raw = bytearray(base64.b64decode(token))
    raw[-1] ^= 1
    with pytest.raises(Unreadable):
        cipher.open_text(keyring(), base64.b64encode(bytes(raw)).decode())
    with pytest.raises(Unreadable):
        cipher.open_text(keyring(), PHONE)  # plaintext is never taken for a sealed value


# --- lookups by blind index -------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", [PHONE, "+86 139 1234 5678", ID_NUMBER, ID_NUMBER.lower()])
def test_search_by_phone_or_id_number_still_finds_the_case(world, typed):
    case = register(world)
    factories.register(world, phone="13800000001", petitioner_name="李四")
    db.session.commit()
    assert search.search(world.clerk, search.classify(typed)).items == [case]


def test_a_landline_typed_with_or_without_the_hyphen_is_the_same_number(world):
    case, _ = factories.register(world, phone=LANDLINE)
    db.session.commit()
    assert search.search(world.clerk, search.classify("073188886666")).items == [case]
    assert case_services.earlier_cases(phone="0731 88886666") == [case]


def test_repeat_detection_finds_the_earlier_case_by_phone_or_id_number(world):
    first = register(world)
    assert case_services.earlier_cases(id_number=ID_NUMBER.lower()) == [first]
    assert case_services.earlier_cases(phone="139-1234-5678") == [first]
    assert case_services.earlier_cases(phone="13900000000") == []


# --- keys and rotation ------------------------------------------------------------------------------------------
def test_old_key_values_are_readable_before_rotation_and_rotate_moves_everything_to_the_new_keys(app, database_url):
    with app.app_context():
        world = factories.build_world()
        case = register(world)
        attachments.store(case, attachments.check_uploads([("材料.png", PNG)]), None)
        db.session.commit()
        case_id, old_tokens = case.id, raw_rows("petitioners", "phone")

    # DATA_KEY and INDEX_KEY replaced, the old ones kept for reading and lookups.
    rotating = other_app(
        database_url, DATA_KEY=KEY_C, DATA_KEYS_OLD=KEY_A, INDEX_KEY=KEY_D, INDEX_KEYS_OLD=KEY_B, DATA_CIPHER="aes"
    )
    try:
        with rotating.app_context():
            petitioner = db.session.execute(sa.select(Petitioner)).scalar_one()
            assert (petitioner.phone, petitioner.id_number) == (PHONE, ID_NUMBER)
            assert [c.id for c in case_services.earlier_cases(phone=PHONE)] == [case_id]  # old index key
            stored = db.session.execute(sa.select(Attachment)).scalar_one()
            assert attachments.read(stored) == PNG
            before = pending(db.session, db.metadata)
            assert before["petitioners.phone"] == 1 and before["files resealed"] == 1

            counts = rotate(db.session, db.metadata)
            db.session.commit()
            assert counts["petitioners.phone"] == counts["petitioners.id_number"] == 1
            assert counts["petitioners.phone_index"] == counts["petitioners.id_number_index"] == 1
            assert counts["files resealed"] == 1
            assert raw_rows("petitioners", "phone") != old_tokens
            assert base64.b64decode(raw_rows("petitioners", "phone")[0][0])[1] == 2  # now AES-256-GCM

            again = rotate(db.session, db.metadata)  # idempotent
            db.session.commit()
            assert not any(again.values()), again
            db.session.remove()
    finally:
        with rotating.app_context():
            db.engine.dispose()

    # After the rotation the old keys are no longer needed.
    rotated = other_app(database_url, DATA_KEY=KEY_C, INDEX_KEY=KEY_D, DATA_CIPHER="aes")
    try:
        with rotated.app_context():
            assert db.session.execute(sa.select(Petitioner)).scalar_one().address == ADDRESS
            assert [c.id for c in case_services.earlier_cases(id_number=ID_NUMBER)] == [case_id]
            stored = db.session.execute(sa.select(Attachment)).scalar_one()
            assert attachments.read(stored) == PNG
            db.session.remove()
    finally:
        with rotated.app_context():
            db.engine.dispose()


def test_without_the_old_key_the_values_do_not_open(app, database_url):
    with app.app_context():
        register(factories.build_world())
    stranger = other_app(database_url, DATA_KEY=KEY_C, INDEX_KEY=KEY_D)
    try:
        with stranger.app_context():
            with pytest.raises(Unreadable):
                db.session.execute(sa.select(Petitioner)).scalar_one()
            db.session.rollback()
    finally:
        with stranger.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_aes_setting_round_trips_and_sm4_rows_stay_readable(app, database_url):
    with app.app_context():
        register(factories.build_world())
    aes = other_app(database_url, DATA_KEY=KEY_A, INDEX_KEY=KEY_B, DATA_CIPHER="aes")
    try:
        with aes.app_context():
            ring = keyring()
            token = cipher.seal_text(ring, ADDRESS)
            assert base64.b64decode(token)[1] == 2 and cipher.open_text(ring, token) == ADDRESS
            assert db.session.execute(sa.select(Petitioner)).scalar_one().phone == PHONE  # sealed with SM4-GCM
            assert blind_index("phone", PHONE) != keyring_from(app.config, Path("/nonexistent")).current_digest(
                "phone", PHONE
            )  # HMAC-SHA256, not HMAC-SM3
            db.session.remove()
    finally:
        with aes.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"DATA_KEY": "short"}, "DATA_KEY"),
        ({"DATA_KEY": "00" * 8}, "at least 16 bytes"),
        ({"DATA_KEY": KEY_A, "INDEX_KEY": KEY_A}, "different"),
        ({"DATA_CIPHER": "des"}, "DATA_CIPHER"),
        ({"DATA_KEYS_OLD": "not a key!"}, "DATA_KEYS_OLD"),
    ],
)
def test_an_unusable_key_setting_stops_the_start_with_a_reason(settings, message, tmp_path):
    config = {"DATA_KEY": KEY_A, "INDEX_KEY": KEY_B, **settings}
    with pytest.raises(KeySettingError, match=message):
        keyring_from(config, tmp_path)


def test_keys_are_read_as_hex_or_base64():
    raw = bytes(range(32))
    assert parse_key(raw.hex(), "K") == raw
    assert parse_key(base64.b64encode(raw).decode(), "K") == raw
    assert parse_key(base64.urlsafe_b64encode(raw).decode().rstrip("="), "K") == raw


def test_empty_key_settings_are_generated_once_into_owner_only_files(tmp_path):
    old = os.umask(0)
    try:
        first = keyring_from({}, tmp_path / "var")
        second = keyring_from({}, tmp_path / "var")
    finally:
        os.umask(old)
    assert first.data.key_id == second.data.key_id and first.data.raw != first.index.raw
    for name in ("data_key", "index_key"):
        assert stat.S_IMODE((tmp_path / "var" / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700


def test_the_keys_cli_rotates_and_reports_counts(app):
    with app.app_context():
        register(factories.build_world())
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "petitioners.phone: 0" in result.output and "total rewritten: 0" in result.output
    check = app.test_cli_runner().invoke(args=["keys", "check"])
    assert "SM4-GCM" in check.output and "every sealed value is under the current key" in check.output
    assert KEY_A not in check.output


# --- files ------------------------------------------------------------------------------------------------------
def test_uploaded_files_are_sealed_on_disk_and_the_download_gives_them_back(app, client, staff, login):
    with app.app_context():
        world = factories.load_world()
        case = register(world, attachments=attachments.check_uploads([("材料.png", PNG)]))
        item = case.attachments[0]
        on_disk = attachments.path_of(item).read_bytes()
        case_id, item_id = case.id, item.id
    assert "县里的秘密材料".encode() not in on_disk and not on_disk.startswith(PNG[:8])
    assert cipher.is_sealed(on_disk)

    login("clerk")
    response = client.get(f"/staff/cases/{case_id}/attachments/{item_id}")
    assert response.status_code == 200 and response.data == PNG


def test_a_sealed_file_moved_over_another_attachment_does_not_open(ctx, world):
    case = register(world, attachments=attachments.check_uploads([("一.png", PNG), ("二.png", PNG + b"2")]))
    one, two = case.attachments
    attachments.path_of(two).write_bytes(attachments.path_of(one).read_bytes())
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        attachments.read(two)


def test_a_file_written_in_clear_before_sealing_is_read_and_then_sealed_by_rotation(ctx, world):
    case = register(world, attachments=attachments.check_uploads([("旧.png", PNG)]))
    item = case.attachments[0]
    attachments.path_of(item).write_bytes(PNG)  # as the portal wrote files before this change
    assert attachments.read(item) == PNG
    counts = rotate(db.session, db.metadata)
    assert counts["files sealed (were in clear)"] == 1
    assert cipher.is_sealed(attachments.path_of(item).read_bytes()) and attachments.read(item) == PNG


# --- owner-only files -------------------------------------------------------------------------------------------
def test_uploads_are_0600_in_a_0700_folder_whatever_the_umask(ctx, world, tmp_path):
    ctx.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads" / "inner")
    old = os.umask(0)
    try:
        case = register(world, attachments=attachments.check_uploads([("材料.png", PNG)]))
    finally:
        os.umask(old)
        ctx.config["UPLOAD_FOLDER"] = BASE_CONFIG["UPLOAD_FOLDER"]
    path = tmp_path / "uploads" / "inner" / case.attachments[0].stored_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700


def test_the_sqlite_file_is_created_owner_only_and_narrowed_when_it_was_not(tmp_path):
    old = os.umask(0)
    try:
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        private_sqlite_file(url)
        assert stat.S_IMODE((tmp_path / "fresh.sqlite3").stat().st_mode) == 0o600
        loose = tmp_path / "loose.sqlite3"
        loose.write_bytes(b"")
        loose.chmod(0o644)
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{loose}"})
        with app.app_context():
            db.engine.dispose()
    finally:
        os.umask(old)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600


def test_private_files_and_dirs_ignore_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        write_private(tmp_path / "a" / "b" / "secret", b"x")
        private_dir(tmp_path / "c")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a" / "b" / "secret").stat().st_mode) == 0o600
    for directory in ("a", "a/b", "c"):
        assert stat.S_IMODE((tmp_path / directory).stat().st_mode) == 0o700


def test_the_column_type_sizes_its_column_for_the_longest_plaintext():
    column = EncryptedString(20)
    assert column.impl.length == cipher.sealed_text_length(20)
    ring = keyring_from({"DATA_KEY": KEY_A, "INDEX_KEY": KEY_B}, Path("/nonexistent"))
    assert len(cipher.seal_text(ring, "字" * 20)) <= column.impl.length
    assert isinstance(EncryptedString().impl, sa.Text)
