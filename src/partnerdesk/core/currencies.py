"""ISO 4217 currencies a manufacturer is likely to trade in. Amounts are always a ``Decimal``
paired with one of these codes."""

from decimal import Decimal

CURRENCIES = {
    "CNY": "Chinese yuan renminbi",
    "USD": "US dollar",
    "EUR": "Euro",
    "JPY": "Japanese yen",
    "KRW": "South Korean won",
    "HKD": "Hong Kong dollar",
    "TWD": "New Taiwan dollar",
    "SGD": "Singapore dollar",
    "MYR": "Malaysian ringgit",
    "THB": "Thai baht",
    "VND": "Vietnamese dong",
    "IDR": "Indonesian rupiah",
    "PHP": "Philippine peso",
    "INR": "Indian rupee",
    "GBP": "Pound sterling",
    "CHF": "Swiss franc",
    "SEK": "Swedish krona",
    "NOK": "Norwegian krone",
    "DKK": "Danish krone",
    "PLN": "Polish zloty",
    "CZK": "Czech koruna",
    "HUF": "Hungarian forint",
    "TRY": "Turkish lira",
    "MXN": "Mexican peso",
    "BRL": "Brazilian real",
    "CAD": "Canadian dollar",
    "AUD": "Australian dollar",
    "NZD": "New Zealand dollar",
    "ZAR": "South African rand",
    "AED": "UAE dirham",
}
CURRENCY_CHOICES = [(code, f"{code} · {name}") for code, name in sorted(CURRENCIES.items())]

# Minor units per ISO 4217 (most have two).
MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "IDR": 2, "HUF": 2, "TWD": 2}


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round an amount to the currency's minor unit, half up as accountants expect."""
    from decimal import ROUND_HALF_UP

    places = MINOR_UNITS.get(currency, 2)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
