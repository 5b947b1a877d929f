"""Tests of the syslog destination: formats, framing and delivery to a real rsyslogd."""
