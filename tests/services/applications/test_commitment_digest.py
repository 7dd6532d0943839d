"""The SM3 digest of a signed commitment proves who signed what, for whom and when (告知承诺制)."""

import html
import json
import re

import pytest
from gmssl import func, sm3

from enterprises.models import Membership
from services.applications import workflow

pytestmark = pytest.mark.django_db


def sm3_hex(data: bytes) -> str:
    return sm3.sm3_hash(func.bytes_to_list(data))


def test_two_signers_of_one_item_get_different_digests(world, draft, make_user):
    colleague = make_user("colleague")
    Membership.objects.create(user=colleague, enterprise=world["enterprise"], role=Membership.Role.CLERK)
    first, second = draft("commitment"), draft("commitment")
    workflow.submit(world["clerk"], first.pk, commitment_accepted=True)
    workflow.submit(colleague, second.pk, commitment_accepted=True)
    first.refresh_from_db()
    second.refresh_from_db()

    assert first.commitment.text == second.commitment.text
    assert first.commitment.digest != second.commitment.digest
    record = json.loads(second.commitment.canonical_record())
    assert record == {"application": second.reference, "enterprise": world["enterprise"].uscc,
                      "signed_at": record["signed_at"], "signer": "colleague", "text": second.commitment.text}
    assert record["signed_at"].endswith("+08:00")


def test_the_clerk_re_computes_the_digest_from_what_the_page_shows(client, world, draft):
    application = draft("commitment")
    workflow.submit(world["clerk"], application.pk, commitment_accepted=True)
    client.force_login(world["clerk"])

    page = client.get(f"/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    shown_digest = re.search(r"SM3: <code[^>]*>([0-9a-f]{64})</code>", page).group(1)
    shown_record = html.unescape(re.search(r"<pre[^>]*>(.*?)</pre>", page, re.S).group(1))
    assert "How to check the digest" in page
    assert sm3_hex(shown_record.encode("utf-8")) == shown_digest
    application.refresh_from_db()
    assert shown_digest == application.commitment.digest
