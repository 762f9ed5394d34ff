"""The tables of ISO 2859-1:1999 used by ``sampling``: Table 1 and Tables 2-A, 2-B and 2-C.

ANSI/ASQ Z1.4 and MIL-STD-105E number the same tables I, II-A, II-B and II-C. Table 1 and
Tables 2-A and 2-B hold the same values in all three standards (see ``MASTER_TABLES`` for
the one cell of 2-B where a transcription differs); Table 2-C is the 1999 revision, which
differs from Table II-C of Z1.4 and MIL-STD-105E.

Each master table row is written the way the printed table reads, one token per AQL column
in ``AQL_VALUES`` order:

* a number is the acceptance number Ac of a plan; the rejection number is always Ac + 1;
* ``v`` is an arrow pointing down: use the first plan below it in the same column;
* ``^`` is an arrow pointing up: use the first plan above it in the same column;
* ``-`` is a blank cell (only the extra row S of Table 2-B has them).

Where the arrow leads, the sample size of the plan's own row applies (``SAMPLE_SIZES``).
"""

# Sample size code letters in table order (I and O are not used).
LETTERS = "ABCDEFGHJKLMNPQR"

# The preferred AQL values, the column headings of Tables 2-A to 2-C. AQLs above 10 apply
# only to nonconformities per 100 items.
AQL_VALUES = (
    "0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65",
    "1.0", "1.5", "2.5", "4.0", "6.5", "10", "15", "25", "40", "65",
    "100", "150", "250", "400", "650", "1000",
)  # fmt: skip

# Inspection levels in the column order of Table 1: special S-1..S-4, general I, II, III.
LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")

# Table 1, sample size code letters: (largest lot size of the range, letter per level in
# LEVELS order). The first range starts at 2; the last one has no upper bound.
CODE_LETTER_TABLE: tuple[tuple[int | None, str], ...] = (
    (8, "AAAAAAB"),
    (15, "AAAAABC"),
    (25, "AABBBCD"),
    (50, "ABBCCDE"),
    (90, "BBCCCEF"),
    (150, "BBCDDFG"),
    (280, "BCDEEGH"),
    (500, "BCDEFHJ"),
    (1200, "CCEFGJK"),
    (3200, "CDEGHKL"),
    (10000, "CDFGJLM"),
    (35000, "CDFHKMN"),
    (150000, "DEGJLNP"),
    (500000, "DEGJMPQ"),
    (None, "DEHKNQR"),
)

# Sample size of each row of Tables 2-A, 2-B and 2-C. Table 2-B has an extra row S whose
# only plan (n = 3150, Ac 1, Re 2) sits in the 0.025 column.
_NORMAL_SIZES = (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000)
_REDUCED_SIZES = (2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800)
SAMPLE_SIZES: dict[str, dict[str, int]] = {
    "normal": dict(zip(LETTERS, _NORMAL_SIZES, strict=True)),
    "tightened": dict(zip(LETTERS, _NORMAL_SIZES, strict=True)) | {"S": 3150},
    "reduced": dict(zip(LETTERS, _REDUCED_SIZES, strict=True)),
}

# Table numbers in ISO 2859-1:1999 (Z1.4 and MIL-STD-105E: II-A, II-B, II-C).
TABLE_NUMBERS = {"normal": "2-A", "tightened": "2-B", "reduced": "2-C"}

# Tables 2-A, 2-B and 2-C, single sampling. Columns: AQL_VALUES, 0.010 on the left.
# Table 2-B, row A, AQL 10: MIL-STD-105E Table II-B has an arrow down to letter D (n = 8,
# Ac 1, Re 2) and so does this table. One transcription of the ISO table (GB/T 2828.1)
# reads Ac 0 Re 1 with n = 2 there; the 1999 edition's list of changes names none in the
# single sampling plans except the reduced ones, so the MIL-STD-105E cell is kept.
MASTER_TABLES: dict[str, dict[str, str]] = {
    "normal": {
        "A": " v  v  v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  7 10 14 21 30",
        "B": " v  v  v  v  v  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21 30 44",
        "C": " v  v  v  v  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21 30 44  ^",
        "D": " v  v  v  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21 30 44  ^  ^",
        "E": " v  v  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21 30 44  ^  ^  ^",
        "F": " v  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^",
        "G": " v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^",
        "H": " v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^",
        "J": " v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "K": " v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "L": " v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "M": " v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "N": " v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "P": " v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "Q": " 0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "R": " ^  ^  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
    },
    "tightened": {
        "A": " v  v  v  v  v  v  v  v  v  v  v  v  v  v  v  v  v  v  1  2  3  5  8 12 18 27",
        "B": " v  v  v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18 27 41",
        "C": " v  v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18 27 41  ^",
        "D": " v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18 27 41  ^  ^",
        "E": " v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18 27 41  ^  ^  ^",
        "F": " v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^",
        "G": " v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^",
        "H": " v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^",
        "J": " v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "K": " v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "L": " v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "M": " v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "N": " v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "P": " v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "Q": " v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "R": " 0  ^  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "S": " -  -  1  -  -  -  -  -  -  -  -  -  -  -  -  -  -  -  -  -  -  -  -  -  -  -",
    },
    "reduced": {
        "A": " v  v  v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  7 10 14 21 30",
        "B": " v  v  v  v  v  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  7 10 14 21 30",
        "C": " v  v  v  v  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10 14 21  ^",
        "D": " v  v  v  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10 14 21  ^  ^",
        "E": " v  v  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10 14 21  ^  ^  ^",
        "F": " v  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^",
        "G": " v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^",
        "H": " v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^",
        "J": " v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "K": " v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "L": " v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "M": " v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "N": " v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "P": " v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "Q": " 0  ^  ^  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
        "R": " ^  ^  ^  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^",
    },
}
