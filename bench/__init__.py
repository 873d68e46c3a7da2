"""Benchmarks, one module each (`python -m bench.<name>`); shared helpers only here (every other module is run)."""


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank value at `fraction` (0.5: the median, 0.99: p99) of the measured values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
