"""Synthetic tenants: each account's people, API clients, records and networks."""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass
from itertools import accumulate

from bench import vocabulary as words

HOT_USERS = 60


@dataclass(frozen=True)
class Person:
    """A user of an account, with the addresses they usually work from."""

    id: str
    name: str
    email: str
    home_ip: str
    mobile_ip: str


@dataclass(frozen=True)
class Client:
    """An API client of an account and the cloud addresses it calls from."""

    id: str
    name: str
    ips: tuple[str, ...]
    agent: str


@dataclass(frozen=True)
class Account:
    """One tenant of the support platform and everything its events refer to."""

    id: str
    company: str
    users: tuple[Person, ...]
    user_cumulative: tuple[float, ...]
    clients: tuple[Client, ...]
    office: ipaddress.IPv4Network
    inboxes: tuple[tuple[str, str], ...]
    teams: tuple[tuple[str, str], ...]
    webhooks: tuple[tuple[str, str], ...]
    rules: tuple[tuple[str, str], ...]

    def office_ip(self, rng: random.Random) -> str:
        """A random host of the office network."""
        return str(self.office.network_address + rng.randint(2, 250))


def build_accounts(count: int, rng: random.Random) -> list[Account]:
    """Return `count` accounts; the first is the hot one, with the most users."""
    return [_account(index, rng) for index in range(count)]


def _account(index: int, rng: random.Random) -> Account:
    company = " ".join(rng.sample(words.COMPANY_WORDS, 2))
    domain = company.lower().replace(" ", "") + "." + rng.choice(words.TLDS)
    user_count = HOT_USERS if index == 0 else rng.randint(6, 48)
    users = tuple(_person(index, number, domain, rng) for number in range(user_count))
    # A few people do most of the work, as in any support team.
    weights = tuple(1.0 / (rank + 1) ** 0.7 for rank in range(user_count))
    clients = tuple(_client(index, number, rng) for number in range(rng.randint(1, 4)))
    return Account(
        id=str(index + 1),
        company=company,
        users=users,
        user_cumulative=tuple(accumulate(weights)),
        clients=clients,
        office=ipaddress.IPv4Network(f"{_public_v4(rng)}.0/24"),
        inboxes=_named(index, words.INBOX_NAMES, rng.randint(2, 12), rng),
        teams=_named(index, words.TEAM_NAMES, rng.randint(1, 6), rng),
        webhooks=tuple(
            (str(index * 100 + n), f"https://hooks.{domain}/chatwoot/{n}")
            for n in range(1, rng.randint(2, 5))
        ),
        rules=_named(index, words.RULE_NAMES, rng.randint(2, 12), rng),
    )


def _person(account: int, number: int, domain: str, rng: random.Random) -> Person:
    first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
    local = f"{first}.{last}".lower().replace("'", "")
    return Person(
        id=str(account * 1000 + number + 1),
        name=f"{first} {last}",
        email=f"{local}@{domain}",
        home_ip=_public_v6(rng)
        if rng.random() < 0.3
        else f"{_public_v4(rng)}.{rng.randint(1, 254)}",
        mobile_ip=_public_v6(rng)
        if rng.random() < 0.6
        else f"{_public_v4(rng)}.{rng.randint(1, 254)}",
    )


def _client(account: int, number: int, rng: random.Random) -> Client:
    octet = rng.choice(words.CLOUD_V4_FIRST_OCTETS)
    ips = [f"{octet}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"]
    if rng.random() < 0.4:
        ips.append(
            f"{rng.choice(words.CLOUD_V6_PREFIXES)}:{rng.randint(1, 0xFFFF):x}::{number + 1}"
        )
    return Client(
        id=f"app_{account + 1}_{number + 1}",
        name=rng.choice(words.API_CLIENT_NAMES),
        ips=tuple(ips),
        agent=rng.choice(words.CLIENT_AGENTS),
    )


def _named(
    account: int, names: tuple[str, ...], count: int, rng: random.Random
) -> tuple[tuple[str, str], ...]:
    chosen = rng.sample(names, min(count, len(names)))
    return tuple((str(account * 100 + n + 1), name) for n, name in enumerate(chosen))


def _public_v4(rng: random.Random) -> str:
    """The first three octets of a public /24."""
    first = rng.choice(words.PUBLIC_V4_FIRST_OCTETS)
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}"


def _public_v6(rng: random.Random) -> str:
    groups = ":".join(f"{rng.randint(0, 0xFFFF):x}" for _ in range(6))
    return f"{rng.choice(words.PUBLIC_V6_PREFIXES)}:{groups}"
