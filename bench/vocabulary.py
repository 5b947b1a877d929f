"""Word pools the generator draws names, places, devices and networks from."""

from __future__ import annotations

FIRST_NAMES = (
    "Alice", "Bob", "Chidi", "Dana", "Esther", "Farid", "Grace", "Hiro", "Ingrid", "Jamal",
    "Katarzyna", "Liam", "Maria", "Noah", "Olga", "Priya", "Quentin", "Rosa", "Sven", "Tomás",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë", "Amara", "Bruno", "Camille", "Dmitri",
    "Elif", "Fatima", "Gabriel", "Hana", "Ivan", "José", "Kofi", "Lucía", "Mateo", "Nadia",
    "Oscar", "Paula", "Rafael", "Sofia", "Thabo", "Valentina", "William", "Yara", "Ayşe", "Björn",
)  # fmt: skip

LAST_NAMES = (
    "Smith", "Jones", "Okafor", "Kim", "Müller", "Haddad", "Chen", "Tanaka", "Larsen", "Wright",
    "Nowak", "Murphy", "Garcia", "Cohen", "Ivanova", "Sharma", "Dubois", "Rossi", "Berg", "Silva",
    "Patel", "Novak", "Li", "Hernández", "Demir", "Mensah", "Fernández", "Schmidt", "Kowalski",
    "Nguyen", "Yilmaz", "Andersson", "Costa", "Moreau", "Popescu", "Khan", "Ali", "Sato", "Park",
    "Johansson", "O'Brien", "Rahman", "Santos", "Weber", "Ncube", "Hoffmann", "Lopez", "Adeyemi",
)  # fmt: skip

COMPANY_WORDS = (
    "Blue", "Harbor", "North", "Star", "Bright", "Path", "Green", "Leaf", "Swift", "Cart",
    "Pixel", "Forge", "Atlas", "Nimbus", "Coral", "Peak", "Maple", "Orbit", "Lumen", "Delta",
    "Cedar", "Vertex", "Echo", "Rover", "Sunny", "Side", "Iron", "Bridge", "Silver", "Fox",
)  # fmt: skip

TLDS = ("com", "io", "co", "de", "com.br", "in", "co.uk", "fr", "es", "app")

INBOX_NAMES = (
    "Support", "Sales", "Billing", "VIP", "Website chat", "WhatsApp", "Email EU", "Email US",
    "Partners", "Returns", "Onboarding", "Instagram", "Telegram", "Facebook", "SMS", "Escalations",
)  # fmt: skip

TEAM_NAMES = (
    "Tier 1", "Tier 2", "Escalations", "Billing team", "Night shift", "Enterprise", "APAC",
    "EMEA", "Americas", "Onboarding squad",
)  # fmt: skip

RULE_NAMES = (
    "Auto-assign VIP", "Tag refunds", "Route Spanish to LATAM", "Close stale conversations",
    "Escalate angry customers", "Assign billing questions", "Welcome new contacts",
    "Priority for enterprise", "Snooze out of hours", "Label WhatsApp leads",
    "Notify on SLA breach", "Mute spam senders",
)  # fmt: skip

CANNED_RESPONSES = (
    "refund_policy", "shipping_times", "reset_password", "thanks", "greeting", "escalated",
    "out_of_office", "invoice_copy", "cancel_subscription", "known_issue",
)  # fmt: skip

LABELS = ("refund", "bug", "vip", "lead", "churn-risk", "feedback", "billing", "urgent", "spam")

INTEGRATIONS = ("slack", "hubspot", "shopify", "stripe", "dialogflow", "linear", "google_translate")

API_CLIENT_NAMES = (
    "Zapier", "CRM sync", "Billing webhook relay", "Data warehouse export", "SCIM provisioning",
    "Mobile backend", "Helpdesk migration script", "Status page bot",
)  # fmt: skip

WEBHOOK_EVENTS = (
    "conversation_created", "conversation_updated", "message_created", "contact_created",
    "conversation_status_changed", "webwidget_triggered",
)  # fmt: skip

BROWSER_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Chatwoot/4.2.0 (iOS 18.1; iPhone15,2)",
    "Chatwoot/4.2.0 (Android 14; SM-S918B)",
)

CLIENT_AGENTS = (
    "Zapier", "python-requests/2.32.3", "axios/1.7.7", "Go-http-client/2.0", "curl/8.5.0",
    "okhttp/4.12.0", "Faraday v2.12.0",
)  # fmt: skip

# First octets of public IPv4 space the networks are drawn from (no private or reserved blocks).
PUBLIC_V4_FIRST_OCTETS = (
    23, 31, 37, 45, 62, 77, 81, 86, 91, 103, 109, 121, 145, 151, 176, 185, 188, 193, 195, 212,
)  # fmt: skip
# IPv6 prefixes of well-known access networks (residential and mobile carriers).
PUBLIC_V6_PREFIXES = ("2a02:8108", "2a01:cb00", "2600:1700", "2804:14c", "2405:201", "2001:4860")
CLOUD_V4_FIRST_OCTETS = (3, 18, 34, 35, 52, 54, 104, 142)
CLOUD_V6_PREFIXES = ("2600:1f18", "2600:1900", "2a05:d018")

FAILED_SIGN_IN_REASONS = (
    "invalid password",
    "invalid password",
    "invalid password",
    "two-factor code rejected",
    "account locked after 5 failed attempts",
    "SSO assertion expired",
)
