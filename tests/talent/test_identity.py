"""Resident ID numbers: what is accepted, what is refused and why, and how they are shown."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from talent import identity
from talent.models import Talent
from talent.profiles import add_talent
from tests.conftest import id_number

pytestmark = pytest.mark.django_db

PROFILE = {"name": "张三", "education": "master", "tier": "C", "started_on": datetime.date(2024, 3, 1)}


def test_a_valid_number_is_accepted_and_birth_date_and_gender_are_read_from_it(alice, alices_enterprise):
    talent = add_talent(alice, alices_enterprise, {**PROFILE, "id_number": "11010519491231002x"})
    assert talent.id_number == "11010519491231002X"
    assert talent.birth_date == datetime.date(1949, 12, 31)
    assert talent.gender == "female"  # the 17th digit, 2, is even
    assert talent.age(datetime.date(2026, 11, 28)) == 76


@pytest.mark.parametrize("number, code", [
    ("110105194912310021", "checksum"),  # bad check digit
    (f"{'110105' '19490231' '002'}" + "7", "birth_date"),  # 31 February
    ("1101051949123100", "length"),
    ("1101051949123100211", "length"),
    ("11010519491231A02X", "format"),
    ("110105180001010029", "birth_date"),  # born in 1800, check digit correct
])
def test_a_bad_number_is_refused_on_the_id_number_field_and_nothing_is_stored(alice, alices_enterprise, number, code):
    with pytest.raises(ValidationError) as refused:
        add_talent(alice, alices_enterprise, {**PROFILE, "id_number": number})
    errors = refused.value.error_dict["id_number"]
    assert [error.code for error in errors] == [code]
    assert not Talent.objects.exists()


def test_an_impossible_birth_date_is_named_even_with_a_matching_check_digit():
    from stdnum.cn import ric

    body = "11010519490231002"
    with pytest.raises(ValidationError) as refused:
        identity.validate_id_number(body + ric.calc_check_digit(body + "0"))
    assert refused.value.code == "birth_date"


def test_the_same_person_cannot_be_added_twice_to_one_employer(alice, alices_enterprise):
    add_talent(alice, alices_enterprise, {**PROFILE, "id_number": "11010519491231002X"})
    with pytest.raises(ValidationError) as refused:
        add_talent(alice, alices_enterprise, {**PROFILE, "id_number": "11010519491231002X"})
    assert "id_number" in refused.value.message_dict


def test_only_members_of_the_employer_may_add_talent(charlie, alices_enterprise):
    with pytest.raises(PermissionError):
        add_talent(charlie, alices_enterprise, {**PROFILE, "id_number": "11010519491231002X"})


def test_an_unknown_region_code_is_refused():
    from stdnum.cn import ric

    body = "99999919900101002"
    with pytest.raises(ValidationError) as refused:
        identity.validate_id_number(body + ric.calc_check_digit(body + "0"))
    assert refused.value.code == "region"


def test_numbers_are_masked_to_region_and_last_four():
    assert identity.mask("11010519491231002X") == "110105********002X"


def test_ages_count_full_years_and_leap_day_birthdays_turn_on_the_first_of_march():
    born = datetime.date(2000, 2, 29)
    assert identity.age(born, datetime.date(2046, 2, 28)) == 45
    assert identity.age(born, datetime.date(2046, 3, 1)) == 46
    assert identity.age(datetime.date(1980, 12, 10), datetime.date(2026, 12, 9)) == 45
    assert identity.age(datetime.date(1980, 12, 10), datetime.date(2026, 12, 10)) == 46


def test_the_full_number_is_shown_only_to_the_reviewing_official(
    alice, alices_enterprise, make_talent, make_policy, talent_department, make_official, departments
):
    from services.applications import workflow
    from talent.applications import apply_for_policy

    talent = make_talent(alices_enterprise, birth=datetime.date(1988, 8, 8))
    official = talent_department["official"]
    stranger = make_official("kxj1", departments["KXJ"])
    assert identity.full_id_number(official, talent) == identity.mask(talent.id_number)

    application = apply_for_policy(alice, talent, make_policy())
    workflow.submit(alice, application.pk)
    workflow.accept(official, application.pk)

    assert identity.full_id_number(official, talent) == talent.id_number
    assert identity.full_id_number(stranger, talent) == identity.mask(talent.id_number)
    assert identity.full_id_number(alice, talent) == identity.mask(talent.id_number)


def test_id_number_helper_of_the_tests_makes_valid_numbers():
    identity.validate_id_number(id_number(datetime.date(1990, 1, 1)))
