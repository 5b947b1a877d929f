"""Tests of log streams: destinations, delivery and the stream API."""
