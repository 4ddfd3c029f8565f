"""Paired measurements: each figure next to its floor, interleaved in one run.

A figure alone says little on a shared machine: the same run can be 1.5x slower an hour
later. So every path is measured with its floor (the least work that path needs: the bare
``ovh`` client's calls, an empty webhook handler) in the same rounds, sample by sample, in
a rotating order, and the table leads with their ratio. The spread printed depends on the
sample count: a 99th percentile only from 1000 samples on, the interquartile range from
20, the minimum and maximum below that.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
import statistics
import time
from typing import Final

# Below these counts, a p99 (or quartiles) would be extrapolated rather than measured.
MIN_SAMPLES_P99: Final = 1000
MIN_SAMPLES_IQR: Final = 20

type Run = Callable[[], Awaitable[float]]
"""One sample: does its own untimed preparation and returns the seconds it measured."""


@dataclass
class Series:
    """The samples of one path, kept per round."""

    rounds: list[list[float]] = field(default_factory=list)

    @property
    def samples(self) -> list[float]:
        """Every sample of every round."""
        return [sample for samples in self.rounds for sample in samples]

    @property
    def median(self) -> float:
        """The median of all samples."""
        return statistics.median(self.samples)

    def round_medians(self) -> list[float]:
        """The median of each round."""
        return [statistics.median(samples) for samples in self.rounds]

    def describe(self) -> str:
        """Median and a spread the sample count supports."""
        samples = self.samples
        median = f"{_duration(statistics.median(samples))}"
        if len(samples) >= MIN_SAMPLES_P99:
            p99 = statistics.quantiles(samples, n=100)[98]
            return f"{median} (p99 {_duration(p99)})"
        if len(samples) >= MIN_SAMPLES_IQR:
            q1, _, q3 = statistics.quantiles(samples, n=4)
            return f"{median} (IQR {_range(q1, q3)})"
        return f"{median} (min-max {_range(min(samples), max(samples))})"


async def timed(awaitable: Awaitable[object]) -> float:
    """The seconds ``awaitable`` takes to complete."""
    start = time.perf_counter()
    await awaitable
    return time.perf_counter() - start


async def interleave(
    runs: Mapping[str, Run], *, rounds: int, per_round: int, warmup: int = 1
) -> dict[str, Series]:
    """Run every path ``per_round`` times per round, one sample of each in turn.

    The order rotates from one turn to the next, so no path always runs first (after an
    idle pause) or last (after the others filled the caches). ``warmup`` samples of each
    are dropped first (first use of a country's phone metadata, of a connection, ...).
    """
    names = list(runs)
    for name in names:
        for _ in range(warmup):
            await runs[name]()
    series = {name: Series() for name in names}
    turn = 0
    for _ in range(rounds):
        for name in names:
            series[name].rounds.append([])
        for _ in range(per_round):
            shift = turn % len(names)
            for name in names[shift:] + names[:shift]:
                series[name].rounds[-1].append(await runs[name]())
            turn += 1
    return series


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table."""

    name: str
    ratio: str
    subject: str
    floor: str
    target: str
    samples: str


TABLE: list[Row] = []
FOOTPRINT: list[Row] = []


def add_pair(name: str, subject: Series, floor: Series, *, floor_name: str, target: str) -> float:
    """Add a path and its floor to the table; return the ratio of their medians."""
    ratio = subject.median / floor.median
    round_ratios = [
        s / f for s, f in zip(subject.round_medians(), floor.round_medians(), strict=True)
    ]
    TABLE.append(
        Row(
            name=name,
            ratio=_ratio(ratio, round_ratios),
            subject=subject.describe(),
            floor=f"{floor_name}: {floor.describe()}",
            target=target,
            samples=f"{len(subject.rounds)} x {len(subject.rounds[0])}",
        )
    )
    return ratio


def add_derived_pair(
    name: str,
    subject: Series,
    floor: Series,
    overhead: tuple[Series, Series],
    *,
    floor_name: str,
    overhead_name: str,
    target: str,
) -> float:
    """Add a path whose floor is ``floor`` plus the overhead of a smaller path.

    ``overhead`` is (that path, its own floor): what the integration adds to one call.
    """
    small, small_floor = overhead
    round_floors = [
        f + s - sf
        for f, s, sf in zip(
            floor.round_medians(),
            small.round_medians(),
            small_floor.round_medians(),
            strict=True,
        )
    ]
    added = small.median - small_floor.median
    total = floor.median + added
    ratio = subject.median / total
    round_ratios = [s / f for s, f in zip(subject.round_medians(), round_floors, strict=True)]
    TABLE.append(
        Row(
            name=name,
            ratio=_ratio(ratio, round_ratios),
            subject=subject.describe(),
            floor=f"{floor_name}: {floor.describe()}, + {overhead_name} "
            f"{_duration(added)} = {_duration(total)}",
            target=target,
            samples=f"{len(subject.rounds)} x {len(subject.rounds[0])}",
        )
    )
    return ratio


def add_footprint(name: str, value: str, reference: str, target: str, samples: str) -> None:
    """Add a start-up or memory figure (no ratio: what it is compared with is given)."""
    FOOTPRINT.append(Row(name, "", value, reference, target, samples))


def render() -> list[str]:
    """Both tables as Markdown, ready for the README."""
    lines: list[str] = []
    if TABLE:
        lines += _markdown(
            ("path", "ratio (per round)", "target", "integration", "floor", "rounds x samples"),
            [(r.name, r.ratio, r.target, r.subject, r.floor, r.samples) for r in TABLE],
        )
    if FOOTPRINT:
        if lines:
            lines.append("")
        lines += _markdown(
            ("start-up, memory, API calls", "measured", "target", "compared with", "samples"),
            [(r.name, r.subject, r.target, r.floor, r.samples) for r in FOOTPRINT],
        )
    return lines


def _markdown(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(header), line(tuple("-" * w for w in widths)), *(line(row) for row in rows)]


def _ratio(ratio: float, round_ratios: list[float]) -> str:
    return f"{ratio:.2f}x ({min(round_ratios):.2f}-{max(round_ratios):.2f})"


def _duration(seconds: float) -> str:
    if seconds >= 0.1:
        return f"{seconds * 1e3:.0f} ms"
    if seconds >= 0.01:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e3:.2f} ms"


def _range(low: float, high: float) -> str:
    return f"{_duration(low).removesuffix(' ms')}-{_duration(high)}"
