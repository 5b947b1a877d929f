"""IP addresses as stored: a canonical text form and a sortable key for CIDR ranges."""

from __future__ import annotations

import ipaddress

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(text: str) -> IpAddress:
    """Parse an address; an IPv4-mapped IPv6 address becomes its IPv4 form.

    Zone ids ("fe80::1%eth0") name an interface of the sending host, not a place on the
    network, so scoped addresses are refused.
    """
    if "%" in text:
        raise ValueError(f'"{text[:60]}" has a zone id; send the address without "%zone".')
    address = ipaddress.ip_address(text.strip())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def address_key(address: IpAddress) -> str:
    """Return 32 hex digits that sort like the address (IPv4 as IPv4-mapped IPv6)."""
    if isinstance(address, ipaddress.IPv4Address):
        return f"{(0xFFFF << 32) | int(address):032x}"
    return f"{int(address):032x}"


def address_from_key(key: str) -> IpAddress:
    """Return the address an `address_key` was made from."""
    number = int(key, 16)
    if number >> 32 == 0xFFFF:
        return ipaddress.IPv4Address(number & 0xFFFFFFFF)
    return ipaddress.IPv6Address(number)


def network_key_range(network: IpNetwork) -> tuple[str, str]:
    """Return the first and last address keys of a network, inclusive."""
    return address_key(network.network_address), address_key(network.broadcast_address)


def parse_network(text: str) -> IpNetwork:
    """Parse an address or CIDR block; host bits are ignored ("10.1.2.3/8" is 10.0.0.0/8)."""
    if "%" in text:
        raise ValueError(f'"{text[:60]}" has a zone id; send the address without "%zone".')
    network = ipaddress.ip_network(text.strip(), strict=False)
    if isinstance(network, ipaddress.IPv6Network):
        mapped = network.network_address.ipv4_mapped
        if mapped is not None and network.prefixlen >= 96:
            return ipaddress.IPv4Network(f"{mapped}/{network.prefixlen - 96}", strict=False)
    return network
