import math
import re

from tourism.codes import (
    ALPHABET,
    CODE_LENGTH,
    RANDOM_LENGTH,
    check_character,
    format_code,
    generate_code,
    is_well_formed,
    normalize_code,
)


def test_alphabet_is_32_typable_characters_without_lookalikes():
    # then
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("0O1I") & set(ALPHABET)
    assert re.fullmatch(r"[2-9A-Z]+", ALPHABET)


def test_code_carries_at_least_80_random_bits():
    # given: the randomness is RANDOM_LENGTH independent draws from the alphabet (secrets.choice)
    bits = RANDOM_LENGTH * math.log2(len(ALPHABET))
    # then
    assert bits >= 80
    assert CODE_LENGTH == RANDOM_LENGTH + 1


def test_generated_codes_are_well_formed_distinct_and_use_the_whole_alphabet():
    # when
    codes = [generate_code() for _ in range(2000)]
    # then
    assert all(len(code) == CODE_LENGTH and is_well_formed(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert set("".join(code[:-1] for code in codes)) == set(ALPHABET)


def test_check_character_catches_every_single_character_substitution():
    for _ in range(20):
        code = generate_code()
        for position in range(CODE_LENGTH):
            for char in ALPHABET:
                if char == code[position]:
                    continue
                typo = code[:position] + char + code[position + 1 :]
                assert not is_well_formed(typo), (code, position, char)


def test_check_character_catches_every_adjacent_swap_including_the_check_character():
    # given: every ordered pair of different characters at every adjacent position, around a fixed code
    body = generate_code()[:-1]
    for position in range(CODE_LENGTH - 1):
        for a in ALPHABET:
            for b in ALPHABET:
                if a == b:
                    continue
                chars = list(body)
                if position + 1 < RANDOM_LENGTH:
                    chars[position], chars[position + 1] = a, b
                    code = "".join(chars) + check_character("".join(chars))
                else:
                    # the swap of the last random character with the check character
                    chars[position] = a
                    code = "".join(chars) + check_character("".join(chars))
                    if code[-2] == code[-1]:
                        continue
                # when
                swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
                # then
                assert is_well_formed(code)
                assert not is_well_formed(swapped), (code, position)


def test_normalize_accepts_what_people_type_and_format_groups_by_four():
    # given
    code = generate_code()
    shown = format_code(code)
    # then
    assert re.fullmatch(r"([2-9A-Z]{4}-){4}[2-9A-Z]{4}", shown)
    assert normalize_code(f"  {shown.lower()} ") == code
    assert normalize_code(shown.replace("-", " ")) == code
    assert is_well_formed(normalize_code(shown))
    assert not is_well_formed(normalize_code(shown[:-1]))
    assert not is_well_formed("O" + code[1:])
