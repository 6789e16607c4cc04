"""Parsing and validating ``programs.yml`` into the raw program tables.

The file format is described in ``shared/spec/incentive-rules.md``. The file
is read with a safe YAML loader, so dates may arrive as date objects or as
ISO text; numbers are converted through ``Decimal(str(x))`` so that ``0.07``
stays exactly 0.07. A file with any problem is rejected whole with a
:class:`ProgramsFileError` whose message names the file and, where it applies,
the program and the version.

Two things plain YAML lets through are rejected while reading, with the line:
a key given twice in one mapping (a second ``rate:`` in a band would otherwise
silently win) and a date that does not exist (``2026-02-30``, ``2026-13-01``).

Defaults, as the rules define them: ``fiscal_year_start_month`` 1,
``attainment_period`` quarter, ``clawback_days`` none; stage probabilities
prospecting 0.10, qualification 0.25, proposal 0.50, negotiation 0.75 for
stages the file does not list; a version's ``period`` quarter; for band
programs (commission, rebate, bonus) ``basis`` revenue and ``tiering``
marginal. Keywords (type, period, basis, tiering, attainment_period, tier,
region and partner type values) are matched without regard to case.

Unknown keys are rejected rather than ignored, so that a misspelt
``effective_to`` cannot silently make a version open-ended; so are keys that
do not apply to the program type (bands on a SPIFF, an accrual rate on a
commission). A SPIFF pays either per unit or per deal, not both.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from orchestration import contract


class ProgramsFileError(ValueError):
    """An invalid programs file; the message names the file, program and version."""


PROGRAM_TYPES = ("commission", "rebate", "spiff", "bonus", "mdf")
BAND_PROGRAM_TYPES = ("commission", "rebate", "bonus")
PERIODS = ("month", "quarter", "year")
BASES = ("revenue", "units")
TIERINGS = ("marginal", "retroactive")
DEFAULT_STAGE_PROBABILITIES: dict[str, Decimal] = {
    "prospecting": Decimal("0.10"),
    "qualification": Decimal("0.25"),
    "proposal": Decimal("0.50"),
    "negotiation": Decimal("0.75"),
}
ELIGIBILITY_DIMENSIONS: dict[str, tuple[str, ...] | None] = {
    "tiers": contract.TIERS,
    "regions": contract.REGIONS,
    "partner_types": contract.PARTNER_TYPES,
    "families": None,  # free text
    "products": None,
}

_TOP_LEVEL_KEYS = {
    "fiscal_year_start_month",
    "clawback_days",
    "stage_probability",
    "attainment_period",
    "programs",
}
_PROGRAM_KEYS = {"program_id", "name", "type", "description", "versions"}
_VERSION_KEYS_ALL = {"version", "effective_from", "effective_to", "period", "cap_usd", "eligible"}
_VERSION_KEYS_BY_TYPE: dict[str, set[str]] = {
    "commission": {"basis", "tiering", "bands"},
    "rebate": {"basis", "tiering", "bands"},
    "bonus": {"basis", "tiering", "bands"},
    "spiff": {"amount_per_unit", "amount_per_deal"},
    "mdf": {"accrual_rate"},
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Integer digits that fit the raw DECIMAL types.
_AMOUNT_DIGITS = 18
_RATE_DIGITS = 6


@dataclass
class ProgramsDocument:
    """A validated programs file as rows of the raw program tables.

    ``rows`` maps each name of ``contract.PROGRAM_TABLES`` to tuples in that
    table's column order (without the load metadata columns).
    """

    fiscal_year_start_month: int
    attainment_period: str
    clawback_days: int | None
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    @property
    def version_count(self) -> int:
        return len(self.rows.get("program_versions", []))


@dataclass(frozen=True)
class _Where:
    """Where in the file a problem is, to prefix its message."""

    source: str
    program_id: str | None = None
    version: int | None = None

    def error(self, problem: str) -> ProgramsFileError:
        parts = [self.source]
        if self.program_id is not None:
            parts.append(f"program {self.program_id}")
        if self.version is not None:
            parts.append(f"version {self.version}")
        return ProgramsFileError(": ".join(parts) + ": " + problem)


class _YamlProblem(yaml.YAMLError):
    """A problem found while building the YAML document, at a 1-based line."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")


class _StrictSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that rejects duplicate keys and dates that do not exist."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            first_lines: dict[Any, int] = {}
            for key_node, _value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *defaults`: keys given next to a merge override it
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    if key in first_lines:
                        raise _YamlProblem(
                            line,
                            f"key {key!r} is given twice in one mapping "
                            f"(first on line {first_lines[key]})",
                        )
                    first_lines[key] = line
                except TypeError:
                    continue  # an unhashable key, which the base class reports
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date | dt.datetime:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            line = node.start_mark.line + 1
            raise _YamlProblem(line, f"{node.value} is not a valid date ({error})") from error


_StrictSafeLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _StrictSafeLoader.construct_yaml_timestamp
)


def parse_programs_file(path: Path, source: str | None = None) -> ProgramsDocument:
    """Read and validate a programs file; ``source`` names it in messages."""
    path = Path(path)
    where = _Where(source or path.name)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise where.error(f"not UTF-8 text (byte position {error.start})") from error
    except OSError as error:
        raise where.error(f"cannot open the file: {error.strerror or error}") from error
    try:
        data = yaml.load(text, Loader=_StrictSafeLoader)
    except _YamlProblem as error:
        raise where.error(str(error)) from error
    except yaml.YAMLError as error:
        detail = " ".join(str(error).split())
        raise where.error(f"not valid YAML: {detail}") from error
    return parse_programs(data, where.source)


def parse_programs(data: object, source: str = "programs.yml") -> ProgramsDocument:
    """Validate the parsed YAML of a programs file and turn it into raw rows."""
    where = _Where(source)
    if data is None:
        raise where.error("the file is empty")
    if not isinstance(data, Mapping):
        raise where.error("expected a mapping with a 'programs' list at the top level")
    _reject_unknown_keys(data, _TOP_LEVEL_KEYS, where, "top-level key")

    fiscal_value = data.get("fiscal_year_start_month")
    fiscal_start = (
        1 if fiscal_value is None else _integer(fiscal_value, where, "fiscal_year_start_month")
    )
    if not 1 <= fiscal_start <= 12:
        raise where.error(f"fiscal_year_start_month must be 1..12, not {fiscal_start}")
    clawback = data.get("clawback_days")
    clawback_days = None if clawback is None else _integer(clawback, where, "clawback_days")
    if clawback_days is not None and clawback_days < 0:
        raise where.error(f"clawback_days must not be negative, not {clawback_days}")
    attainment = _keyword(
        data.get("attainment_period") or "quarter", PERIODS, where, "attainment_period"
    )

    document = ProgramsDocument(
        fiscal_year_start_month=fiscal_start,
        attainment_period=attainment,
        clawback_days=clawback_days,
        rows={name: [] for name in contract.PROGRAM_TABLES},
    )
    document.rows["program_settings"].append((fiscal_start, clawback_days, attainment))
    document.rows["program_stage_probabilities"].extend(
        _stage_probabilities(data.get("stage_probability"), where)
    )

    programs = data.get("programs")
    if not isinstance(programs, list):
        raise where.error("expected a 'programs' list")
    seen_ids: set[str] = set()
    for index, program in enumerate(programs, start=1):
        _add_program(document, program, index, where, seen_ids)
    return document


def _stage_probabilities(value: object, where: _Where) -> list[tuple[str, Decimal]]:
    probabilities = dict(DEFAULT_STAGE_PROBABILITIES)
    if value is None:
        return list(probabilities.items())
    if not isinstance(value, Mapping):
        raise where.error("stage_probability must map open stages to probabilities")
    for stage, probability in value.items():
        name = str(stage).strip().lower()
        if name not in probabilities:
            raise where.error(
                f"stage_probability: {stage!r} is not an open stage "
                f"(expected one of {', '.join(contract.OPEN_STAGES)})"
            )
        number = _decimal(probability, where, f"stage_probability.{name}", _RATE_DIGITS)
        if not 0 <= number <= 1:
            raise where.error(f"stage_probability.{name} must be between 0 and 1, not {number}")
        probabilities[name] = number
    return list(probabilities.items())


def _add_program(
    document: ProgramsDocument,
    program: object,
    index: int,
    where: _Where,
    seen_ids: set[str],
) -> None:
    if not isinstance(program, Mapping):
        raise where.error(f"programs entry {index} is not a mapping")
    program_id = _text(program.get("program_id"), where, f"programs entry {index}: program_id")
    if program_id is None:
        raise where.error(f"programs entry {index} has no program_id")
    here = _Where(where.source, program_id)
    if program_id in seen_ids:
        raise here.error("duplicate program_id")
    seen_ids.add(program_id)
    _reject_unknown_keys(program, _PROGRAM_KEYS, here, "key")

    program_type = _keyword(program.get("type"), PROGRAM_TYPES, here, "type")
    name = _text(program.get("name"), here, "name")
    description = _text(program.get("description"), here, "description")
    document.rows["programs"].append((program_id, name, program_type, description))

    versions = program.get("versions")
    if not isinstance(versions, list) or not versions:
        raise here.error("needs a non-empty 'versions' list")
    parsed = [
        _version(raw, position, program_type, here) for position, raw in enumerate(versions, 1)
    ]
    _check_versions_together(parsed, here)
    for version in parsed:
        document.rows["program_versions"].append(version.row(program_id))
        for number, (band_from, rate) in enumerate(version.bands, start=1):
            document.rows["program_bands"].append(
                (program_id, version.number, number, band_from, rate)
            )
        for dimension, value in version.eligibility:
            document.rows["program_eligibility"].append(
                (program_id, version.number, dimension, value)
            )


@dataclass
class _Version:
    number: int
    effective_from: dt.date
    effective_to: dt.date | None
    period: str
    basis: str | None
    tiering: str | None
    cap_usd: Decimal | None
    amount_per_unit: Decimal | None
    amount_per_deal: Decimal | None
    accrual_rate: Decimal | None
    bands: list[tuple[Decimal, Decimal]]
    eligibility: list[tuple[str, str]]

    def row(self, program_id: str) -> tuple[Any, ...]:
        return (
            program_id,
            self.number,
            self.effective_from,
            self.effective_to,
            self.period,
            self.basis,
            self.tiering,
            self.cap_usd,
            self.amount_per_unit,
            self.amount_per_deal,
            self.accrual_rate,
        )


def _version(raw: object, position: int, program_type: str, program: _Where) -> _Version:
    if not isinstance(raw, Mapping):
        raise program.error(f"versions entry {position} is not a mapping")
    if raw.get("version") is None:
        raise program.error(f"versions entry {position} has no version number")
    number = _integer(raw["version"], program, f"versions entry {position}: version")
    if number < 1:
        raise program.error(f"version numbers start at 1, not {number}")
    here = _Where(program.source, program.program_id, number)
    _reject_unknown_keys(
        raw,
        _VERSION_KEYS_ALL | _VERSION_KEYS_BY_TYPE[program_type],
        here,
        f"key for {program_type}",
    )

    if raw.get("effective_from") is None:
        raise here.error("effective_from is required")
    effective_from = _date(raw["effective_from"], here, "effective_from")
    effective_to = None
    if raw.get("effective_to") is not None:
        effective_to = _date(raw["effective_to"], here, "effective_to")
        if effective_to < effective_from:
            raise here.error(
                f"effective_to {effective_to} is before effective_from {effective_from}"
            )

    def money(key: str, digits: int = _AMOUNT_DIGITS) -> Decimal | None:
        if raw.get(key) is None:
            return None
        number_value = _decimal(raw[key], here, key, digits)
        if number_value < 0:
            raise here.error(f"{key} must not be negative, not {number_value}")
        return number_value

    version = _Version(
        number=number,
        effective_from=effective_from,
        effective_to=effective_to,
        period=_keyword(raw.get("period") or "quarter", PERIODS, here, "period"),
        basis=None,
        tiering=None,
        cap_usd=money("cap_usd"),
        amount_per_unit=money("amount_per_unit"),
        amount_per_deal=money("amount_per_deal"),
        accrual_rate=money("accrual_rate", _RATE_DIGITS),
        bands=[],
        eligibility=_eligibility(raw.get("eligible"), here),
    )
    if program_type in BAND_PROGRAM_TYPES:
        version.basis = _keyword(raw.get("basis") or "revenue", BASES, here, "basis")
        version.tiering = _keyword(raw.get("tiering") or "marginal", TIERINGS, here, "tiering")
        version.bands = _bands(raw.get("bands"), here)
    elif program_type == "spiff":
        if version.amount_per_unit is None and version.amount_per_deal is None:
            raise here.error("a spiff needs amount_per_unit or amount_per_deal")
        if version.amount_per_unit is not None and version.amount_per_deal is not None:
            raise here.error("a spiff pays per unit or per deal: give only one of the two")
    elif program_type == "mdf" and version.accrual_rate is None:
        raise here.error("an mdf program needs accrual_rate")
    return version


def _bands(raw: object, here: _Where) -> list[tuple[Decimal, Decimal]]:
    if not isinstance(raw, list) or not raw:
        raise here.error("a band program needs a non-empty 'bands' list")
    bands: list[tuple[Decimal, Decimal]] = []
    for position, band in enumerate(raw, start=1):
        if not isinstance(band, Mapping):
            raise here.error(f"band {position} is not a mapping with 'from' and 'rate'")
        _reject_unknown_keys(band, {"from", "rate"}, here, f"key in band {position}")
        if band.get("from") is None or band.get("rate") is None:
            raise here.error(f"band {position} needs both 'from' and 'rate'")
        band_from = _decimal(band["from"], here, f"band {position} from", _AMOUNT_DIGITS)
        rate = _decimal(band["rate"], here, f"band {position} rate", _RATE_DIGITS)
        if rate < 0:
            raise here.error(f"band {position} has a negative rate ({rate})")
        if position == 1 and band_from != 0:
            raise here.error(f"the first band must start at 0, not {band_from}")
        if bands and band_from <= bands[-1][0]:
            raise here.error(
                f"bands out of order: band {position} starts at {band_from}, "
                f"not above the previous band's {bands[-1][0]}"
            )
        bands.append((band_from, rate))
    return bands


def _eligibility(raw: object, here: _Where) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        raise here.error("'eligible' must map dimensions to lists of values")
    rows: list[tuple[str, str]] = []
    for dimension, values in raw.items():
        name = str(dimension).strip().lower()
        if name not in ELIGIBILITY_DIMENSIONS:
            raise here.error(
                f"unknown eligibility dimension {dimension!r} "
                f"(expected one of {', '.join(ELIGIBILITY_DIMENSIONS)})"
            )
        listed = values if isinstance(values, list) else [values]
        if not listed:
            raise here.error(f"eligible.{name} is an empty list")
        allowed = ELIGIBILITY_DIMENSIONS[name]
        seen: set[str] = set()
        for value in listed:
            text = _text(value, here, f"eligible.{name}")
            if text is None:
                raise here.error(f"eligible.{name} has an empty value")
            if allowed is not None:
                canonical = {option.lower(): option for option in allowed}.get(text.lower())
                if canonical is None:
                    raise here.error(
                        f"eligible.{name}: unknown value {text!r} "
                        f"(expected one of {', '.join(allowed)})"
                    )
                text = canonical
            if text not in seen:
                seen.add(text)
                rows.append((name, text))
    return rows


def _check_versions_together(versions: list[_Version], program: _Where) -> None:
    numbers: set[int] = set()
    for version in versions:
        if version.number in numbers:
            raise program.error(f"duplicate version number {version.number}")
        numbers.add(version.number)
    first = versions[0]
    for version in versions[1:]:
        if version.period != first.period:
            raise program.error(
                f"all versions must share one period: version {first.number} uses "
                f"{first.period}, version {version.number} uses {version.period}"
            )
    ordered = sorted(versions, key=lambda version: version.effective_from)
    for earlier, later in itertools.pairwise(ordered):
        if earlier.effective_to is None or later.effective_from <= earlier.effective_to:
            until = earlier.effective_to or "open-ended"
            raise program.error(
                f"versions {earlier.number} ({earlier.effective_from} to {until}) and "
                f"{later.number} (from {later.effective_from}) overlap"
            )


def _reject_unknown_keys(
    mapping: Mapping[Any, Any], allowed: set[str], where: _Where, what: str
) -> None:
    unknown = sorted(str(key) for key in mapping if str(key) not in allowed)
    if unknown:
        raise where.error(
            f"unknown {what} {', '.join(map(repr, unknown))} "
            f"(expected some of {', '.join(sorted(allowed))})"
        )


def _text(value: object, where: _Where | None = None, key: str = "value") -> str | None:
    """A scalar as trimmed text; None or blank gives None; a list or mapping is an error."""
    if value is None:
        return None
    if isinstance(value, Mapping | list):
        problem = f"{key} must be a single value, not {value!r}"
        raise (where or _Where("programs file")).error(problem)
    text = str(value).strip()
    return text or None


def _keyword(value: object, allowed: tuple[str, ...], where: _Where, key: str) -> str:
    text = None if isinstance(value, Mapping | list) else _text(value)
    if text is None or text.lower() not in allowed:
        raise where.error(f"unknown {key} {value!r} (expected one of {', '.join(allowed)})")
    return text.lower()


def _integer(value: object, where: _Where, key: str) -> int:
    if isinstance(value, bool):
        raise where.error(f"{key} must be a whole number, not {value!r}")
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise where.error(f"{key} must be a whole number, not {value!r}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise where.error(f"{key} must be a whole number, not {value!r}")
    return int(number)


def _decimal(value: object, where: _Where, key: str, integer_digits: int) -> Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, Mapping | list):
        raise where.error(f"{key} must be a number, not {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise where.error(f"{key} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise where.error(f"{key} must be a finite number, not {value!r}")
    if abs(number) >= Decimal(10) ** integer_digits:
        raise where.error(f"{key} is too large ({number})")
    return number


def _date(value: object, where: _Where, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise where.error(f"{key} must be a date (YYYY-MM-DD), not a timestamp ({value})")
    if isinstance(value, dt.date):
        return value
    text = "" if isinstance(value, Mapping | list) else _text(value) or ""
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise where.error(f"{key} must be a date (YYYY-MM-DD), not {value!r}")
