"""Coupon codes: secret, typable, and checked before any lookup.

A code is 19 random characters plus one check character, shown in five groups of four
(`7KQM-XC4P-…`). The alphabet has 32 characters with no 0/O and no 1/I, so each random character
carries 5 bits: 19 × 5 = 95 bits from `secrets`, well above the 80 bits that make guessing hopeless
within the rate limit.

The check character is a Damm-style check over a totally anti-symmetric quasigroup of order 32:
x∗y = α·x + y in the field GF(2⁵) (α = the generator x, modulus x⁵ + x² + 1). A quasigroup catches
every single-character substitution, and total anti-symmetry ((c∗x)∗y = (c∗y)∗x only when x = y)
catches every swap of two adjacent characters, the check character included
(H. M. Damm, "Totally anti-symmetric quasigroups for all orders n ≠ 2, 6", Discrete Math. 307, 2007).
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RANDOM_LENGTH = 19
CODE_LENGTH = RANDOM_LENGTH + 1
GROUP = 4

_VALUE = {char: value for value, char in enumerate(ALPHABET)}
_MODULUS = 0b100101  # x⁵ + x² + 1, irreducible over GF(2)
_ALPHA = 0b10
_SEPARATORS = re.compile(r"[\s\-_.·]+")


def _gf_mul(a: int, b: int) -> int:
    product = 0
    while b:
        if b & 1:
            product ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= _MODULUS
    return product


def _op(x: int, y: int) -> int:
    # Addition in GF(2⁵) is XOR.
    return _gf_mul(_ALPHA, x) ^ y


def _interim(values: list[int]) -> int:
    state = 0
    for value in values:
        state = _op(state, value)
    return state


def check_character(body: str) -> str:
    """The character that brings the whole code's interim back to 0: α·r + c = 0, so c = α·r."""
    return ALPHABET[_gf_mul(_ALPHA, _interim([_VALUE[char] for char in body]))]


def generate_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def normalize_code(raw: str) -> str:
    """What a person typed or a scanner read → the stored form: upper case, no spaces or hyphens.

    The letters O and I are not in the alphabet, so they stay as they are and fail the check,
    rather than being guessed into digits that are not in the alphabet either.
    """
    return _SEPARATORS.sub("", (raw or "").strip()).upper()


def is_well_formed(code: str) -> bool:
    """True when `code` (normalised) has the right length, alphabet and check character."""
    if len(code) != CODE_LENGTH or any(char not in _VALUE for char in code):
        return False
    return _interim([_VALUE[char] for char in code]) == 0


def format_code(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
