"""Deals and deal splits, generated vectorised, a chunk of consecutive deals at a time.

Reproducibility does not depend on the chunk size: every random quantity of a
deal (its partner, product, dates, outcome...) has its own PCG64 stream, and
deal ``i`` always takes the ``i``-th uniform number of that stream (a stream is
fast-forwarded to the chunk's first deal with ``advance``). Only uniform draws
are used, turned into choices with plain arithmetic and ``floor`` (no
platform-dependent maths functions), and all money is integer minor units.

A deal's life: created at a moment that grows with its number (deal ids are
sequential, like a CRM's), it is planned to close after a sales cycle, closes
somewhat later (weekend closes are mostly moved to Monday) and is won or lost;
a few won deals are cancelled afterwards. A deal whose close falls after the
export moment is still open, in the stage its progress suggests.

Each deal has one row in its first batch. Some deals also have a later version,
sent in the last batch with a later ``updated_at``: open deals that were later
won or lost, won deals later cancelled, won deals whose amount was corrected,
and open deals that moved to a later stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pyarrow as pa
from numpy.random import PCG64, Generator, SeedSequence

from orchestration.contract import STAGES
from orchestration.generator.catalog import CURRENCIES, PRODUCTS
from orchestration.generator.output import (
    date_texts,
    id_text,
    lookup_texts,
    money_texts,
    timestamp_texts,
)
from orchestration.generator.reference import Partners
from orchestration.generator.timeline import DAY_SECONDS, Timeline, day_number

HOUR = 3600
WON, LOST, CANCELLED = (STAGES.index(s) for s in ("won", "lost", "cancelled"))
NO_TIME = -1  # marks an empty closed_at / cancelled_at

# Sales cycle: 7 days plus up to MAX_EXTRA_CYCLE_DAYS, mostly short.
MIN_CYCLE_DAYS = 7
MAX_EXTRA_CYCLE_DAYS = 174
MAX_SLIP_DAYS = 40  # actual close after the expected date
WEEKEND_MOVED_SHARE = 0.75  # share of weekend closes moved to the next Monday
MAX_DISCOUNT_PERCENT = 30
WIN_SHARE = 0.55
CANCEL_SHARE = 0.07  # of won deals, cancelled later (when before the export)
MAX_CANCEL_DAYS = 180  # about half fall inside a 90-day clawback window
# Versions: the share of deals drawn for each kind of later version.
OPEN_FIRST_SHARE = 0.70  # closed deals first sent while still open
CORRECTED_SHARE = 0.05  # won deals whose amount is corrected later
PROGRESSED_SHARE = 0.30  # open deals first sent at an earlier stage
REVISED_AMOUNT_SHARE = 0.30  # of those sent open first, with a different amount then
MAX_CORRECTION_DAYS = 20

SPLIT_SHARE = 0.04
TWO_WAY_SHARE = 0.70
RESPLIT_SHARE = 0.10  # of two-way splits, re-sent later with other shares
TWO_WAY_SPLITS: tuple[tuple[str, ...], ...] = (
    ("50", "50"),
    ("60", "40"),
    ("70", "30"),
    ("80", "20"),
    ("75", "25"),
    ("90", "10"),
)
THREE_WAY_SPLITS: tuple[tuple[str, ...], ...] = (
    ("50", "30", "20"),
    ("40", "40", "20"),
    ("33.34", "33.33", "33.33"),
    ("60", "20", "20"),
    ("50", "25", "25"),
)
SPLIT_PATTERNS = TWO_WAY_SPLITS + THREE_WAY_SPLITS
SPLIT_SHARE_TEXTS = tuple(
    share for pattern in SPLIT_PATTERNS for share in (*pattern, "", "", "")[:3]
)
SPLIT_ARITY = np.array([len(p) for p in SPLIT_PATTERNS], dtype=np.int64)

DEALS_STREAM = 0x6465616C  # keeps deal streams apart from any other use of the seed


class Draw(IntEnum):
    """One independent random stream per random property of a deal."""

    CREATED = 0
    PARTNER = 1
    PRODUCT = 2
    QUANTITY = 3
    DISCOUNT = 4
    CYCLE = 5
    SLIP = 6
    WEEKEND = 7
    CLOSE_TIME = 8
    OUTCOME = 9
    CANCEL = 10
    CANCEL_GAP = 11
    LAG = 12
    VERSION = 13
    FIRST_VERSION_AT = 14
    REVISED_QUANTITY = 15
    REVISED_DISCOUNT = 16
    CORRECTION_GAP = 17
    SPLIT = 18
    SPLIT_PATTERN = 19
    SPLIT_FIRST = 20
    SPLIT_SECOND = 21
    RESPLIT = 22


def uniforms(seed: int, draw: Draw, first: int, count: int) -> np.ndarray:
    """Uniform numbers ``first .. first+count-1`` of the stream for ``draw``."""
    bit_generator = PCG64(SeedSequence([seed, DEALS_STREAM, int(draw)]))
    bit_generator.advance(first)  # one 64-bit output per uniform double
    return Generator(bit_generator).random(count)


def _floor(values: np.ndarray) -> np.ndarray:
    return np.floor(values).astype(np.int64)


@dataclass(frozen=True)
class DealModel:
    """Everything a chunk needs besides its range: lookups built once per folder."""

    seed: int
    n_deals: int
    timeline: Timeline
    partners: Partners
    partner_cumulative_activity: np.ndarray
    product_cumulative_weight: np.ndarray
    product_list_cents: np.ndarray
    product_max_quantity: np.ndarray
    currency_numerator: np.ndarray
    currency_denominator: np.ndarray
    currency_whole_units: np.ndarray
    quarter_first_days: np.ndarray
    partner_id_texts: pa.Array
    product_id_texts: pa.Array
    id_width: int

    @classmethod
    def build(cls, seed: int, n_deals: int, timeline: Timeline, partners: Partners) -> DealModel:
        conversions = [c.minor_per_usd_cent for c in CURRENCIES]
        return cls(
            seed=seed,
            n_deals=n_deals,
            timeline=timeline,
            partners=partners,
            partner_cumulative_activity=np.cumsum(partners.activity),
            product_cumulative_weight=np.cumsum([p.weight for p in PRODUCTS]),
            product_list_cents=np.array(
                [int(p.list_price_usd * 100) for p in PRODUCTS], dtype=np.int64
            ),
            product_max_quantity=np.array([p.max_quantity for p in PRODUCTS], dtype=np.int64),
            currency_numerator=np.array([n for n, _ in conversions], dtype=np.int64),
            currency_denominator=np.array([d for _, d in conversions], dtype=np.int64),
            currency_whole_units=np.array([c.decimals == 0 for c in CURRENCIES]),
            quarter_first_days=np.array(
                [day_number(q.first_day) for q in timeline.quarters], dtype=np.int64
            ),
            partner_id_texts=pa.array(partners.ids, type=pa.string()),
            product_id_texts=pa.array([p.product_id for p in PRODUCTS], type=pa.string()),
            id_width=max(8, len(str(n_deals))),
        )


@dataclass(frozen=True)
class DealRows:
    """Deal rows as integer columns (times in seconds, dates in days, money in minor units)."""

    deal: np.ndarray  # 0-based deal number
    partner: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    amount: np.ndarray
    currency: np.ndarray
    stage: np.ndarray  # index into STAGES
    created: np.ndarray
    expected_day: np.ndarray
    closed: np.ndarray  # NO_TIME when empty
    cancelled: np.ndarray  # NO_TIME when empty
    updated: np.ndarray

    def __len__(self) -> int:
        return len(self.deal)

    def where(self, mask: np.ndarray) -> DealRows:
        return DealRows(**{name: values[mask] for name, values in vars(self).items()})

    def texts(self, model: DealModel) -> dict[str, pa.Array]:
        """The rows as the landing text columns of ``deals``."""
        return {
            "deal_id": id_text("D", self.deal + 1, model.id_width),
            "partner_id": model.partner_id_texts.take(pa.array(self.partner)),
            "product_id": model.product_id_texts.take(pa.array(self.product)),
            "quantity": pa.array(self.quantity).cast(pa.string()),
            "amount": money_texts(self.amount, model.currency_whole_units[self.currency]),
            "currency": lookup_texts([c.code for c in CURRENCIES], self.currency),
            "stage": lookup_texts(STAGES, self.stage),
            "created_at": timestamp_texts(self.created),
            "expected_close_date": date_texts(self.expected_day),
            "closed_at": timestamp_texts(self.closed, self.closed == NO_TIME),
            "cancelled_at": timestamp_texts(self.cancelled, self.cancelled == NO_TIME),
            "updated_at": timestamp_texts(self.updated),
        }


@dataclass(frozen=True)
class SplitRows:
    """Split rows: deal, credited partner and an index into ``SPLIT_SHARE_TEXTS``."""

    deal: np.ndarray
    partner: np.ndarray
    share: np.ndarray

    def __len__(self) -> int:
        return len(self.deal)

    def texts(self, model: DealModel) -> dict[str, pa.Array]:
        """The rows as the landing text columns of ``deal_splits``."""
        return {
            "deal_id": id_text("D", self.deal + 1, model.id_width),
            "partner_id": model.partner_id_texts.take(pa.array(self.partner)),
            "split_pct": lookup_texts(SPLIT_SHARE_TEXTS, self.share),
        }


@dataclass(frozen=True)
class DealChunk:
    """Generated rows for deals ``first .. last-1``."""

    first_versions: DealRows  # one row per deal
    later_versions: DealRows  # deals that changed, in deal order
    splits: SplitRows
    resplits: SplitRows  # a replacing split set, sent with the later versions


def _open_stage(at: np.ndarray, created: np.ndarray, planned_at: np.ndarray) -> np.ndarray:
    """Open stage from the share of the planned cycle elapsed at ``at`` (quarters of it)."""
    progress = (at - created) / (planned_at - created)
    return np.minimum(_floor(progress * 4), 3)


def generate_chunk(model: DealModel, first: int, last: int, won_usd_cents: np.ndarray) -> DealChunk:
    """Generate deals ``first .. last-1``.

    Adds the USD value (in cents, at list-price conversion) of every deal won
    for good to ``won_usd_cents[partner, quarter]``, which quotas, payouts and
    MDF claims are sized from.
    """
    count = last - first
    tl = model.timeline
    end = tl.end_seconds

    def draw(what: Draw) -> np.ndarray:
        return uniforms(model.seed, what, first, count)

    deal = np.arange(first, last, dtype=np.int64)
    span = (tl.end_seconds - DAY_SECONDS) - tl.history_start_seconds
    created = tl.history_start_seconds + _floor(
        (deal + draw(Draw.CREATED)) * (span / model.n_deals)
    )

    # Partner: among those enrolled by the creation moment, by activity.
    cumulative = model.partner_cumulative_activity
    enrolled = np.searchsorted(model.partners.enrolled_seconds, created, side="right")
    target = _floor(draw(Draw.PARTNER) * cumulative[enrolled - 1])
    partner = np.searchsorted(cumulative, target, side="right")
    currency = model.partners.currency_index[partner]

    product_target = _floor(draw(Draw.PRODUCT) * model.product_cumulative_weight[-1])
    product = np.searchsorted(model.product_cumulative_weight, product_target, side="right")
    list_cents = model.product_list_cents[product]
    q = draw(Draw.QUANTITY)
    quantity = 1 + _floor(q * q * q * model.product_max_quantity[product])
    discount = _floor(draw(Draw.DISCOUNT) * (MAX_DISCOUNT_PERCENT + 1))
    usd_cents = quantity * (list_cents * (100 - discount) // 100)

    # When it closes, and how.
    c = draw(Draw.CYCLE)
    planned_day = created // DAY_SECONDS + MIN_CYCLE_DAYS + _floor(c * c * MAX_EXTRA_CYCLE_DAYS)
    planned_at = planned_day * DAY_SECONDS + 12 * HOUR
    s = draw(Draw.SLIP)
    close_day = planned_day + _floor(s * s * s * MAX_SLIP_DAYS)
    weekday = (close_day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    moved = (weekday >= 5) & (draw(Draw.WEEKEND) < WEEKEND_MOVED_SHARE)
    close_day = np.where(moved, close_day + 7 - weekday, close_day)
    closed_at = close_day * DAY_SECONDS + 8 * HOUR + _floor(draw(Draw.CLOSE_TIME) * 11 * HOUR)
    is_closed = closed_at < end
    won = is_closed & (draw(Draw.OUTCOME) < WIN_SHARE)
    cancel_at = (
        closed_at
        + DAY_SECONDS
        + _floor(draw(Draw.CANCEL_GAP) * ((MAX_CANCEL_DAYS - 1) * DAY_SECONDS))
    )
    cancelled = won & (draw(Draw.CANCEL) < CANCEL_SHARE) & (cancel_at < end)
    stays_won = won & ~cancelled

    lag = draw(Draw.LAG)
    closed_updated = np.minimum(closed_at + _floor(lag * (4 * HOUR)), end - 1)
    open_updated = created + _floor(lag * (end - 1 - created))
    open_stage = _open_stage(open_updated, created, planned_at)

    # Later versions.
    v = draw(Draw.VERSION)
    open_first = is_closed & ~cancelled & (v < OPEN_FIRST_SHARE)
    correction_at = (
        closed_updated
        + DAY_SECONDS
        + _floor(draw(Draw.CORRECTION_GAP) * (MAX_CORRECTION_DAYS * DAY_SECONDS))
    )
    corrected = (
        stays_won
        & (v >= OPEN_FIRST_SHARE)
        & (v < OPEN_FIRST_SHARE + CORRECTED_SHARE)
        & (correction_at < end)
    )
    progressed = ~is_closed & (v < PROGRESSED_SHARE) & (open_updated - created >= 2 * DAY_SECONDS)
    has_later = open_first | cancelled | corrected | progressed

    final_stage = np.select([cancelled, stays_won, is_closed], [CANCELLED, WON, LOST], open_stage)
    final_updated = np.select(
        [cancelled, corrected, is_closed], [cancel_at, correction_at, closed_updated], open_updated
    )

    fa = draw(Draw.FIRST_VERSION_AT)
    first_at = np.select(
        [open_first, progressed],
        [
            created + _floor((0.1 + 0.8 * fa) * (closed_at - created)),
            created + _floor(fa * (open_updated - created)),
        ],
        closed_updated,
    )
    sent_open_first = open_first | progressed
    first_stage = np.where(sent_open_first, _open_stage(first_at, created, planned_at), WON)
    first_closed = np.where(cancelled | corrected, closed_at, NO_TIME)
    revised = (
        corrected
        | (open_first & (v < OPEN_FIRST_SHARE * REVISED_AMOUNT_SHARE))
        | (progressed & (v < PROGRESSED_SHARE * REVISED_AMOUNT_SHARE))
    )
    change = _floor(draw(Draw.REVISED_QUANTITY) * 7) - 3
    first_quantity = np.where(revised, np.maximum(1, quantity + change), quantity)
    first_discount = np.where(
        revised, _floor(draw(Draw.REVISED_DISCOUNT) * (MAX_DISCOUNT_PERCENT + 1)), discount
    )
    first_usd_cents = first_quantity * (list_cents * (100 - first_discount) // 100)

    numerator = model.currency_numerator[currency]
    denominator = model.currency_denominator[currency]
    amount = usd_cents * numerator // denominator
    first_amount = first_usd_cents * numerator // denominator

    final = DealRows(
        deal=deal,
        partner=partner,
        product=product,
        quantity=quantity,
        amount=amount,
        currency=currency,
        stage=final_stage,
        created=created,
        expected_day=planned_day,
        closed=np.where(is_closed, closed_at, NO_TIME),
        cancelled=np.where(cancelled, cancel_at, NO_TIME),
        updated=final_updated,
    )
    first_versions = DealRows(
        deal=deal,
        partner=partner,
        product=product,
        quantity=np.where(has_later, first_quantity, quantity),
        amount=np.where(has_later, first_amount, amount),
        currency=currency,
        stage=np.where(has_later, first_stage, final_stage),
        created=created,
        expected_day=planned_day,
        closed=np.where(has_later, first_closed, final.closed),
        cancelled=np.where(has_later, NO_TIME, final.cancelled),
        updated=np.where(has_later, first_at, final_updated),
    )

    # Revenue that stays won: won, or cancelled after the 90-day clawback window.
    kept = stays_won | (cancelled & (cancel_at - closed_at > 90 * DAY_SECONDS))
    quarter = np.searchsorted(model.quarter_first_days, close_day, side="right") - 1
    kept &= quarter >= 0
    np.add.at(won_usd_cents, (partner[kept], quarter[kept]), usd_cents[kept])

    splits, resplits = _splits(model, draw, deal, partner)
    return DealChunk(first_versions, final.where(has_later), splits, resplits)


def _splits(
    model: DealModel, draw: Callable[[Draw], np.ndarray], deal: np.ndarray, partner: np.ndarray
) -> tuple[SplitRows, SplitRows]:
    """Split sets: the deal's partner first, then one or two long-standing partners."""
    # Every stream is drawn for the whole chunk (to stay aligned), then narrowed.
    split = draw(Draw.SPLIT) < SPLIT_SHARE
    p = draw(Draw.SPLIT_PATTERN)[split]
    first_draw = draw(Draw.SPLIT_FIRST)[split]
    second_draw = draw(Draw.SPLIT_SECOND)[split]
    resplit_draw = draw(Draw.RESPLIT)[split]
    deal, partner = deal[split], partner[split]
    n_two, n_three = len(TWO_WAY_SPLITS), len(THREE_WAY_SPLITS)
    pattern = np.where(
        p < TWO_WAY_SHARE,
        np.minimum(_floor(p / TWO_WAY_SHARE * n_two), n_two - 1),
        n_two
        + np.minimum(_floor((p - TWO_WAY_SHARE) / (1 - TWO_WAY_SHARE) * n_three), n_three - 1),
    )
    # Co-sellers come from partners enrolled before the first deal, other than
    # the deal's own partner: rank r among them maps to partner r, skipping it.
    veterans = model.partners.veterans
    own_is_veteran = partner < veterans
    candidates = veterans - own_is_veteran
    a = _floor(first_draw * candidates)
    b = _floor(second_draw * (candidates - 1))
    b += b >= a
    second = a + (own_is_veteran & (a >= partner))
    third = b + (own_is_veteran & (b >= partner))
    members = np.stack([partner, second, third], axis=1)
    resplit = (pattern < n_two) & (resplit_draw < RESPLIT_SHARE)
    return (
        _split_rows(deal, members, pattern),
        _split_rows(deal[resplit], members[resplit], (pattern[resplit] + 1) % n_two),
    )


def _split_rows(deal: np.ndarray, members: np.ndarray, pattern: np.ndarray) -> SplitRows:
    position = np.arange(3)
    present = position[None, :] < SPLIT_ARITY[pattern][:, None]
    return SplitRows(
        deal=np.repeat(deal, SPLIT_ARITY[pattern]),
        partner=members[present],
        share=(pattern[:, None] * 3 + position[None, :])[present],
    )
