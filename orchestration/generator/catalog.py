"""Fixed reference data the synthetic landing folder is drawn from.

Countries belong to one region and bill in one currency; products belong to one
family and carry a USD list price. Everything here is plain data so that a
reader can see at a glance what the generator can produce.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Currency:
    """A billing currency and the USD reference rate its FX series starts from."""

    code: str
    usd_per_unit: Decimal  # reference rate around the start of the history
    decimals: int  # minor-unit digits: 2 for most, 0 for JPY

    @property
    def minor_per_usd_cent(self) -> tuple[int, int]:
        """Price-list conversion from USD cents to this currency's minor units.

        Returned as an exact fraction ``(numerator, denominator)`` so deal amounts
        are converted with integer arithmetic only.
        """
        denominator = 10_000
        factor = Decimal(10) ** self.decimals / Decimal(100) / self.usd_per_unit
        return int((factor * denominator).to_integral_value()), denominator


CURRENCIES: tuple[Currency, ...] = (
    Currency("USD", Decimal("1"), 2),
    Currency("EUR", Decimal("1.0400"), 2),
    Currency("GBP", Decimal("1.2500"), 2),
    Currency("CHF", Decimal("1.1000"), 2),
    Currency("SEK", Decimal("0.0910"), 2),
    Currency("CAD", Decimal("0.6950"), 2),
    Currency("JPY", Decimal("0.006400"), 0),
    Currency("AUD", Decimal("0.6250"), 2),
    Currency("SGD", Decimal("0.7350"), 2),
    Currency("INR", Decimal("0.011700"), 2),
    Currency("BRL", Decimal("0.1650"), 2),
    Currency("MXN", Decimal("0.0490"), 2),
)
CURRENCY_INDEX: dict[str, int] = {c.code: i for i, c in enumerate(CURRENCIES)}


@dataclass(frozen=True)
class Country:
    """A country partners are based in, with its currency and company-name suffix."""

    code: str
    region: str
    currency: str
    weight: int  # relative share of the region's partners
    legal_suffix: str


COUNTRIES: tuple[Country, ...] = (
    Country("US", "NA", "USD", 8, "Inc."),
    Country("CA", "NA", "CAD", 2, "Ltd."),
    Country("DE", "EMEA", "EUR", 3, "GmbH"),
    Country("FR", "EMEA", "EUR", 2, "SAS"),
    Country("NL", "EMEA", "EUR", 1, "B.V."),
    Country("ES", "EMEA", "EUR", 1, "S.L."),
    Country("IT", "EMEA", "EUR", 1, "S.r.l."),
    Country("GB", "EMEA", "GBP", 3, "Ltd"),
    Country("CH", "EMEA", "CHF", 1, "AG"),
    Country("SE", "EMEA", "SEK", 1, "AB"),
    Country("AE", "EMEA", "USD", 1, "FZ-LLC"),
    Country("JP", "APAC", "JPY", 3, "K.K."),
    Country("AU", "APAC", "AUD", 2, "Pty Ltd"),
    Country("SG", "APAC", "SGD", 2, "Pte. Ltd."),
    Country("IN", "APAC", "INR", 2, "Pvt. Ltd."),
    Country("BR", "LATAM", "BRL", 3, "Ltda."),
    Country("MX", "LATAM", "MXN", 2, "S.A. de C.V."),
    Country("CL", "LATAM", "USD", 1, "SpA"),
    Country("CO", "LATAM", "USD", 1, "S.A.S."),
)

# Relative share of partners per region, tier and partner type.
REGION_WEIGHTS: dict[str, int] = {"NA": 40, "EMEA": 30, "APAC": 18, "LATAM": 12}
TIER_WEIGHTS: dict[str, int] = {"registered": 35, "silver": 35, "gold": 20, "platinum": 10}
PARTNER_TYPE_WEIGHTS: dict[str, int] = {
    "reseller": 55,
    "referral": 15,
    "msp": 20,
    "distributor": 10,
}
# Share (percent) of partners outside USD countries that still bill in USD.
USD_BILLING_PERCENT = 10

# How much business a partner of each tier brings, as an inclusive range of
# relative weights; distributors bring twice as much.
TIER_ACTIVITY: dict[str, tuple[int, int]] = {
    "registered": (1, 4),
    "silver": (3, 10),
    "gold": (8, 25),
    "platinum": (20, 60),
}

NAME_STEMS: tuple[str, ...] = (
    "Northwind", "Bluepeak", "Ironbridge", "Silverline", "Redwood", "Clearwater",
    "Brightpath", "Summit", "Harbor", "Keystone", "Lakeside", "Meridian", "Pinnacle",
    "Quantum", "Riverbend", "Stonegate", "Trident", "Vertex", "Westgate", "Zenith",
    "Atlas", "Beacon", "Cobalt", "Delta", "Evergreen", "Falcon", "Granite", "Horizon",
    "Juniper", "Nimbus", "Orion", "Polaris", "Sequoia", "Tidewater", "Upland", "Vantage",
)  # fmt: skip
NAME_TRADES: tuple[str, ...] = (
    "Networks", "Systems", "Solutions", "Technologies", "IT Services", "Data",
    "Integration", "Consulting", "Cloud", "Infrastructure", "Digital", "Partners",
    "Computing", "Security", "Logic",
)  # fmt: skip


@dataclass(frozen=True)
class Product:
    """A catalogue item. ``weight`` is its share of deals, ``max_quantity`` its deal size."""

    product_id: str
    name: str
    family: str
    list_price_usd: Decimal
    weight: int
    max_quantity: int


def _p(pid: str, name: str, family: str, price: str, weight: int, max_qty: int) -> Product:
    return Product(pid, name, family, Decimal(price), weight, max_qty)


PRODUCTS: tuple[Product, ...] = (
    _p("NET-100", "Edge router", "Networking", "1850.00", 6, 20),
    _p("NET-110", "Branch router", "Networking", "950.00", 5, 30),
    _p("NET-200", "Campus switch 48-port", "Networking", "4200.00", 6, 24),
    _p("NET-210", "Core switch", "Networking", "18500.00", 2, 6),
    _p("NET-300", "Wireless access point", "Networking", "690.00", 6, 120),
    _p("NET-310", "Wireless controller", "Networking", "7800.00", 2, 4),
    _p("SEC-100", "Firewall appliance", "Security", "1200.00", 6, 20),
    _p("SEC-200", "Next-generation firewall", "Security", "9500.00", 3, 8),
    _p("SEC-300", "Secure email gateway, per user", "Security", "45.00", 4, 600),
    _p("SEC-400", "Endpoint protection, per seat", "Security", "60.00", 5, 800),
    _p("SEC-500", "SIEM appliance", "Security", "24000.00", 1, 3),
    _p("SEC-600", "VPN concentrator", "Security", "3400.00", 3, 10),
    _p("STO-100", "NAS 12-bay", "Storage", "6800.00", 4, 8),
    _p("STO-200", "All-flash array", "Storage", "68000.00", 1, 3),
    _p("STO-300", "Backup appliance", "Storage", "15500.00", 2, 4),
    _p("STO-400", "Object storage node", "Storage", "22000.00", 1, 8),
    _p("STO-500", "Tape library", "Storage", "9900.00", 1, 3),
    _p("STO-600", "Storage expansion shelf", "Storage", "5400.00", 3, 10),
    _p("CMP-100", "1U rack server", "Compute", "5900.00", 5, 16),
    _p("CMP-200", "2U rack server", "Compute", "9800.00", 4, 12),
    _p("CMP-300", "GPU server", "Compute", "48000.00", 1, 4),
    _p("CMP-400", "Blade chassis", "Compute", "14500.00", 2, 4),
    _p("CMP-500", "Edge compute node", "Compute", "2300.00", 4, 20),
    _p("CMP-600", "Hyperconverged node", "Compute", "21000.00", 2, 8),
    _p("SW-100", "Virtualization licence, per socket", "Software", "1150.00", 5, 40),
    _p("SW-200", "Backup software licence", "Software", "780.00", 4, 30),
    _p("SW-300", "Monitoring suite, per seat", "Software", "240.00", 4, 300),
    _p("SW-400", "Database licence, per core", "Software", "2900.00", 3, 32),
    _p("SW-500", "Container platform subscription", "Software", "4500.00", 2, 10),
    _p("SW-600", "Collaboration suite, per seat", "Software", "96.00", 4, 1000),
    _p("SRV-100", "Installation service", "Services", "1500.00", 4, 10),
    _p("SRV-200", "Premium support, one year", "Services", "3200.00", 4, 20),
    _p("SRV-300", "Professional services day", "Services", "1800.00", 3, 30),
    _p("SRV-400", "Training seat", "Services", "950.00", 3, 25),
    _p("SRV-500", "Managed service, one month", "Services", "2400.00", 2, 12),
    _p("SRV-600", "Infrastructure health check", "Services", "4000.00", 2, 3),
)
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(p.family for p in PRODUCTS))
