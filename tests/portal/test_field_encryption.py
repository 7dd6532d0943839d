"""Personal data at rest: phones and webhook secrets are SM4-encrypted, found by a keyed SM3 digest,
readable after a key rotation, and a wrong or missing key stops the portal naming the variable."""

import io
import os
import secrets
import subprocess
import sys
import threading
import time

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from enterprises.models import Enterprise
from notifications.models import WebhookEndpoint
from portal.core import digest, field_crypto
from portal.core.encrypted_fields import check_stored_values, reencrypt, stored_value_problems
from portal.models import User
from talent import identity
from tests.helpers import ROOT, in_threads
from tests.integration.support import database_url
from tests.portal.test_safe_defaults import manage, production

PHONE = "13800138000"
# Fixed, not random: the test ids name them, and parallel workers must collect the same tests.
K1, K2 = "5ac9ec281a1fc22171617e4b656d8dec", "c17013db64cbeb0133b31fd331aae694"


def raw_row(table: str, pk: int) -> str:
    """Everything the database holds in one row, as text: what someone reading the disk would see."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 (a table of the test)
        return " ".join(str(value) for value in cursor.fetchone())


def raw_value(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def keys(settings):
    """Start with the key k1; `keys("k2", "k1")` puts k2 first, as an operator rotating does."""
    known = {"k1": bytes.fromhex(K1), "k2": bytes.fromhex(K2)}

    def use(*ids: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = {key_id: known[key_id] for key_id in ids}

    use("k1")
    return use


# --- what the database holds ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_holds_no_plain_phone_and_the_portal_reads_it_back(make_user, alice, make_enterprise):
    user = make_user("wang", phone=PHONE)
    enterprise = make_enterprise(alice, contact_phone="010-63800001")

    for table, pk, plain in (("portal_user", user.pk, PHONE), ("enterprises_enterprise", enterprise.pk, "010-63800001")):
        row = raw_row(table, pk)
        assert plain not in row and plain.replace("-", "") not in row
        assert "sm4gcm:dev:" in row
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert Enterprise.objects.get(pk=enterprise.pk).contact_phone == "010-63800001"


@pytest.mark.django_db
def test_the_same_phone_is_sealed_differently_each_time_and_found_by_its_digest(make_user):
    wang, zhao, li = make_user("wang", phone=PHONE), make_user("zhao", phone=PHONE), make_user("li", phone="")
    assert raw_value("portal_user", "phone", wang.pk) != raw_value("portal_user", "phone", zhao.pk)

    digest_of = User._meta.get_field("phone").lookup_of
    found = User.objects.filter(phone_lookup=digest_of(PHONE)).order_by("username")
    assert [u.username for u in found] == ["wang", "zhao"]
    # A blank phone stays blank (no digest), and "no phone" is still a plain query.
    assert raw_value("portal_user", "phone", li.pk) == "" and li.phone_lookup == ""
    assert list(User.objects.filter(phone="").values_list("username", flat=True)) == ["li"]


@pytest.mark.django_db
def test_searching_an_encrypted_column_by_its_value_is_refused_loudly(make_user):
    make_user("wang", phone=PHONE)
    with pytest.raises(FieldError, match="phone_lookup"):
        User.objects.filter(phone=PHONE).exists()
    with pytest.raises(FieldError):
        User.objects.filter(phone__contains="138").exists()


@pytest.mark.django_db
def test_a_changed_phone_changes_its_digest(make_user):
    user = make_user("wang", phone=PHONE)
    user.phone = "13900139000"
    user.save()
    assert raw_value("portal_user", "phone_lookup", user.pk) == User._meta.get_field("phone").lookup_of("13900139000")
    with pytest.raises(ValueError, match="phone_lookup"):
        user.save(update_fields=["phone"])  # would leave the digest stale


@pytest.mark.django_db
def test_webhook_secrets_are_encrypted_and_still_sign(alice, alices_enterprise):
    endpoint = WebhookEndpoint.objects.create(enterprise=alices_enterprise, url="https://erp.example.com/hooks",
                                              events=["application.status_changed"],
                                              secret="a-secret-of-sixteen+", created_by=alice)
    assert "a-secret-of-sixteen+" not in raw_row("services_webhookendpoint", endpoint.pk)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "a-secret-of-sixteen+"


def test_an_altered_value_or_one_moved_to_another_column_does_not_open():
    sealed = field_crypto.seal(PHONE, "portal.user.phone")
    assert field_crypto.open_sealed(sealed, "portal.user.phone") == PHONE
    with pytest.raises(field_crypto.UndecryptableValue, match="FIELD_ENCRYPTION_KEY"):
        field_crypto.open_sealed(sealed, "enterprises.enterprise.contact_phone")
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(field_crypto.UndecryptableValue, match="altered"):
        field_crypto.open_sealed(flipped, "portal.user.phone")


def test_the_keyed_sm3_digest_is_the_same_without_openssl(monkeypatch):
    cases = [(b"k" * 32, b"110105194912310021"), (b"a longer key than one block of SM3 " * 3, b"x")]
    with_openssl = [digest.sm3_hmac(key, data) for key, data in cases]
    monkeypatch.setattr(digest, "_OPENSSL_SM3", False)  # the gmssl path of an OpenSSL built without SM3
    assert [digest.sm3_hmac(key, data) for key, data in cases] == with_openssl


# --- key rotation --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rotation_re_encrypts_every_value_under_the_new_key_and_every_value_still_reads(
    keys, make_user, alice, make_enterprise
):
    users = [make_user(f"user{i}", phone=f"1380013{i:04d}") for i in range(7)]
    enterprise = make_enterprise(alice, contact_phone="010-63800001")
    digests = sorted(User.objects.values_list("phone_lookup", flat=True))

    keys("k2", "k1")
    newcomer = make_user("newcomer", phone="13700137000")  # written under k2 at once
    assert raw_value("portal_user", "phone", users[0].pk).startswith("sm4gcm:k1:")
    assert raw_value("portal_user", "phone", newcomer.pk).startswith("sm4gcm:k2:")

    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_field_key", "--chunk", "3", stdout=out, stderr=err)
    assert "8 value(s) re-encrypted under the key 'k2'" in out.getvalue()  # 7 users and the enterprise
    assert "Re-encrypting" in err.getvalue() and "8/8" in err.getvalue()  # the progress bar, on stderr

    keys("k2")  # the old key can go now
    for user in users:
        assert raw_value("portal_user", "phone", user.pk).startswith("sm4gcm:k2:")
        assert User.objects.get(pk=user.pk).phone == user.phone
    assert Enterprise.objects.get(pk=enterprise.pk).contact_phone == "010-63800001"
    # Lookups do not depend on the encryption key.
    assert sorted(User.objects.exclude(pk=newcomer.pk).values_list("phone_lookup", flat=True)) == digests
    assert stored_value_problems() == []

    again = io.StringIO()
    call_command("rotate_field_key", stdout=again, stderr=io.StringIO())
    assert again.getvalue().startswith("0 value(s) re-encrypted")


@pytest.mark.django_db(transaction=True)
def test_a_phone_changed_while_the_rotation_runs_is_not_lost(keys, make_user):
    user = make_user("wang", phone=PHONE)
    keys("k2", "k1")
    changing = threading.Event()

    def work(index: int) -> None:
        if index == 0:  # the user changes the phone, in a transaction that takes a moment to commit
            with transaction.atomic():
                row = User.objects.select_for_update().get(pk=user.pk)
                row.phone = "13900139000"
                row.save()
                changing.set()
                time.sleep(1)
        else:  # meanwhile the operator rotates the key
            assert changing.wait(timeout=10)
            reencrypt(User, User._meta.get_field("phone"))

    assert in_threads(2, work) == [None, None]
    stored = User.objects.get(pk=user.pk)
    assert stored.phone == "13900139000" and raw_value("portal_user", "phone", user.pk).startswith("sm4gcm:k2:")


# --- wrong and missing keys ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_wrong_key_fails_loudly_naming_the_variable(keys, settings, make_user):
    user = make_user("wang", phone=PHONE)
    settings.FIELD_ENCRYPTION_KEYS = {"k1": secrets.token_bytes(16)}  # the same id, another key
    with pytest.raises(field_crypto.UndecryptableValue, match="FIELD_ENCRYPTION_KEY"):
        User.objects.get(pk=user.pk)
    errors = check_stored_values()
    assert errors and all("FIELD_ENCRYPTION_KEY" in str(e) for e in errors) and PHONE not in str(errors)

    settings.FIELD_ENCRYPTION_KEYS = {"k9": secrets.token_bytes(16)}  # the key was dropped too early
    with pytest.raises(field_crypto.UndecryptableValue, match="'k1', which FIELD_ENCRYPTION_KEY does not list"):
        User.objects.get(pk=user.pk)

    keys("k1")
    settings.FIELD_LOOKUP_KEY = secrets.token_bytes(32)
    assert any("FIELD_LOOKUP_KEY" in str(e) for e in check_stored_values())


@pytest.mark.django_db
def test_a_value_stored_before_its_migration_does_not_stop_the_migration(alice, alices_enterprise):
    endpoint = WebhookEndpoint.objects.create(enterprise=alices_enterprise, url="https://erp.example.com/hooks",
                                              events=[], secret="a-secret-of-sixteen+", created_by=alice)
    with connection.cursor() as cursor:  # as the column held it before notifications 0003
        cursor.execute("UPDATE services_webhookendpoint SET secret = 'a-secret-of-sixteen+' WHERE id = %s",
                       [endpoint.pk])
    assert check_stored_values() == []  # `migrate` runs the checks first: it must not be barred
    with pytest.raises(field_crypto.UndecryptableValue, match="run the migrations"):
        WebhookEndpoint.objects.get(pk=endpoint.pk)


@pytest.mark.django_db(transaction=True)
def test_the_portal_does_not_start_with_a_key_that_cannot_open_what_is_stored(make_user):
    make_user("wang", phone=PHONE)  # committed: the subprocess reads the same database
    environment = {**os.environ, "DEV": "1", "DATABASE_URL": database_url(connection.settings_dict),
                   "FIELD_ENCRYPTION_KEY": f"dev:{secrets.token_hex(16)}"}
    check = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=environment,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode != 0 and "FIELD_ENCRYPTION_KEY" in check.stderr and PHONE not in check.stderr
    web = subprocess.run([sys.executable, "-c", "import portal.wsgi"], cwd=ROOT, env=environment,
                         capture_output=True, text=True, timeout=120)
    assert web.returncode != 0 and "ImproperlyConfigured" in web.stderr and "FIELD_ENCRYPTION_KEY" in web.stderr

    with_the_right_key = {key: value for key, value in environment.items() if key != "FIELD_ENCRYPTION_KEY"}
    assert subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=with_the_right_key,
                          capture_output=True, text=True, timeout=120).returncode == 0


@pytest.mark.parametrize("variable", ["FIELD_ENCRYPTION_KEY", "FIELD_LOOKUP_KEY"])
def test_production_does_not_start_without_a_key_and_names_it(tmp_path, variable):
    result = manage(production(tmp_path, **{variable: None}), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and f"{variable} must be set" in result.stderr


@pytest.mark.parametrize("variable, value, said", [
    ("FIELD_ENCRYPTION_KEY", "k1:" + "ab" * 8, "malformed key"),  # 64 bits, not 128
    ("FIELD_ENCRYPTION_KEY", "no-id-" + "ab" * 16, "is not understood"),
    ("FIELD_ENCRYPTION_KEY", f"k1:{K1},k1:{K2}", "twice"),
    ("FIELD_ENCRYPTION_KEY", field_crypto.DEVELOPMENT_ENCRYPTION_KEY, "development key"),
    ("FIELD_LOOKUP_KEY", "zz" * 32, "malformed key"),
    ("FIELD_LOOKUP_KEY", "ab" * 8, "malformed key"),
])
def test_production_refuses_a_malformed_key_naming_the_variable_without_repeating_it(tmp_path, variable, value,
                                                                                   said):
    result = manage(production(tmp_path, **{variable: value}), "check")
    assert result.returncode != 0 and variable in result.stderr and said in result.stderr
    assert value.split(":")[-1] not in result.stderr


def test_development_has_a_labelled_key_of_its_own():
    keys = field_crypto.parse_encryption_keys("", dev=True)
    assert list(keys) == ["dev"] and field_crypto.parse_lookup_key("", dev=True)
    assert list(field_crypto.parse_encryption_keys(f"k2:{K2},k1:{K1}", dev=False)) == ["k2", "k1"]


# --- the migrations: what was stored in the clear is encrypted, and back ---------------------------

BEFORE = [("portal", "0007_external_identity"), ("enterprises", "0008_generated_evidence_names"),
          ("notifications", "0002_delivery_attempt_response"), ("talent", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_the_reverse_migrations_decrypt_and_the_migrations_encrypt_again(alice, make_enterprise, make_talent):
    alice.phone = PHONE
    alice.save()
    enterprise = make_enterprise(alice, contact_phone="010-63800001")
    talent = make_talent(enterprise, name="王五")
    endpoint = WebhookEndpoint.objects.create(enterprise=enterprise, url="https://erp.example.com/hooks",
                                              events=[], secret="a-secret-of-sixteen+", created_by=alice)
    plain = {("portal_user", "phone", alice.pk): PHONE,
             ("enterprises_enterprise", "contact_phone", enterprise.pk): "010-63800001",
             ("talent_talent", "id_number", talent.pk): talent.id_number,
             ("services_webhookendpoint", "secret", endpoint.pk): "a-secret-of-sixteen+"}
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)  # the columns as they were: the values in the clear again
        assert {where: raw_value(*where) for where in plain} == plain

        MigrationExecutor(connection).migrate(latest)  # what was stored in the clear is encrypted
        for (table, column, pk), value in plain.items():
            assert raw_value(table, column, pk).startswith("sm4gcm:") and value not in raw_row(table, pk)
        assert User.objects.get(phone_lookup=User._meta.get_field("phone").lookup_of(PHONE)).pk == alice.pk
        assert Enterprise.objects.get(pk=enterprise.pk).contact_phone == "010-63800001"
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "a-secret-of-sixteen+"
        assert identity.same_person(enterprise, talent.id_number).get().pk == talent.pk
        assert stored_value_problems() == []
    finally:
        MigrationExecutor(connection).migrate(latest)
