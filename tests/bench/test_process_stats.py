"""Reading a process's memory and CPU time from /proc texts, and sampling its memory."""

from __future__ import annotations

import os
import time

import pytest

from bench.process_stats import (
    MB,
    ProcessStatsError,
    RssSampler,
    parse_cpu_seconds,
    parse_schedstat,
    parse_status_bytes,
    rss_bytes,
)

STATUS = """Name:\tauditlog
VmPeak:\t  412345 kB
VmHWM:\t   80120 kB
VmRSS:\t   74220 kB
RssAnon:\t   50000 kB
"""


def test_vm_rss_is_read_in_bytes_from_its_own_line() -> None:
    assert parse_status_bytes(STATUS, "VmRSS") == 74220 * 1024


def test_vm_hwm_is_read_from_its_own_line_not_a_longer_name() -> None:
    assert parse_status_bytes(STATUS, "VmHWM") == 80120 * 1024


def test_a_missing_field_is_an_error_naming_it() -> None:
    with pytest.raises(ProcessStatsError, match="no VmRSS line"):
        parse_status_bytes("Name:\tzombie\n", "VmRSS")


def test_a_field_in_another_unit_is_an_error_quoting_the_line() -> None:
    with pytest.raises(ProcessStatsError, match='"VmRSS:\t 12 MB"'):
        parse_status_bytes("VmRSS:\t 12 MB\n", "VmRSS")


def test_cpu_seconds_add_user_and_system_ticks_after_a_command_name_with_spaces() -> None:
    stat = "4242 (py (x) thon) S 1 2 3 4 5 6 7 8 9 10 250 150 0 0 20 0 3 0 100"
    assert parse_cpu_seconds(stat, 100) == 4.0


def test_the_running_process_has_a_resident_set() -> None:
    assert rss_bytes(os.getpid()) > 1024 * 1024


def test_schedstat_gives_seconds_running_and_waiting_for_a_cpu() -> None:
    assert parse_schedstat("2500000000 500000000 1234\n") == (2.5, 0.5)


def test_the_rss_sampler_sees_memory_held_while_it_runs() -> None:
    with RssSampler(os.getpid(), interval=0.001) as sampler:
        held = b"x" * (40 * MB)
        while len(sampler.samples) < 5:
            time.sleep(0.005)
        del held
    assert sampler.peak_growth >= 30 * MB
