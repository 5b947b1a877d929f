"""Reading rate limits such as 600/minute."""

from __future__ import annotations

import pytest

from ratelimit.rate import Rate, RateError, parse_rate


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        pytest.param("600/minute", Rate(600, 60), id="per-minute"),
        pytest.param("5/second", Rate(5, 1), id="per-second"),
        pytest.param(" 100 / hours ", Rate(100, 3600), id="plural-and-spaces"),
        pytest.param("0", None, id="zero-is-off"),
        pytest.param("off", None, id="off"),
        pytest.param("0/minute", None, id="zero-per-minute-is-off"),
    ],
)
def test_rates_are_read_from_their_text(text: str, rate: Rate | None) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["600", "ten/minute", "5/day", "-1/second"])
def test_unreadable_rates_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(RateError, match="N/second, N/minute or N/hour"):
        parse_rate(text)


def test_a_rate_reads_as_requests_per_unit() -> None:
    assert str(Rate(600, 60)) == "600 requests per minute"
