"""HTTP response hardening: security headers on every response."""
