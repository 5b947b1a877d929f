"""German: a complete second language, proving the mechanism."""

from __future__ import annotations

from catalogue.language import Language, Noun, Verb

_ACCUSATIVE = {"m": "den", "f": "die", "n": "das"}


def _noun(word: str, gender: str) -> Noun:
    return Noun(word, f"{_ACCUSATIVE[gender]} {word} {{ref}}", word)


NOUNS = {
    "account": _noun("Konto", "n"),
    "account_user": _noun("Agenten", "m"),
    "agent_bot": _noun("Agenten-Bot", "m"),
    "article": _noun("Hilfe-Artikel", "m"),
    "audit_log": _noun("Audit-Log", "n"),
    "automation_rule": _noun("Automatisierungsregel", "f"),
    "campaign": _noun("Kampagne", "f"),
    "canned_response": _noun("Textbaustein", "m"),
    "contact": _noun("Kontakt", "m"),
    "conversation": _noun("Unterhaltung", "f"),
    "custom_attribute": _noun("benutzerdefinierte Attribut", "n"),
    "custom_role": _noun("benutzerdefinierte Rolle", "f"),
    "inbox": _noun("Posteingang", "m"),
    "inbox_member": _noun("Posteingangsmitglied", "n"),
    "integration": _noun("Integration", "f"),
    "label": _noun("Label", "n"),
    "macro": _noun("Makro", "n"),
    "message": _noun("Nachricht", "f"),
    "portal": _noun("Hilfe-Portal", "n"),
    "report": _noun("Bericht", "m"),
    "sla_policy": _noun("SLA-Richtlinie", "f"),
    "sso_settings": _noun("Single-Sign-on-Einstellungen", "f"),
    "team": _noun("Team", "n"),
    "team_member": _noun("Teammitglied", "n"),
    "user": _noun("Benutzer", "m"),
    "webhook": _noun("Webhook", "m"),
}
# Labels name the entity in the nominative, not the accusative used in sentences.
LABEL_NOUNS = {
    "account_user": "Agent",
    "custom_attribute": "Benutzerdefiniertes Attribut",
    "custom_role": "Benutzerdefinierte Rolle",
}
NOUNS = {
    key: Noun(noun.word, noun.phrase, LABEL_NOUNS.get(key, noun.label))
    for key, noun in NOUNS.items()
}

VERBS = {
    "create": Verb("{actor} hat {object} erstellt", "erstellt", "erstellen"),
    "update": Verb("{actor} hat {object} geändert{fields}", "geändert", "ändern"),
    "delete": Verb("{actor} hat {object} gelöscht", "gelöscht", "löschen"),
    "publish": Verb("{actor} hat {object} veröffentlicht", "veröffentlicht", "veröffentlichen"),
}

SENTENCES: dict[str, tuple[str, ...]] = {
    "user.sign_in": ("{actor} hat sich angemeldet",),
    "user.sign_in#failure": ("{actor} konnte sich nicht anmelden{reason}",),
    "user.sign_out": ("{actor} hat sich abgemeldet",),
    "user.sign_up": ("{actor} hat sich registriert",),
    "user.password_change": ("{actor} hat das eigene Passwort geändert",),
    "user.password_change#failure": ("{actor} konnte das eigene Passwort nicht ändern{reason}",),
    "user.password_reset": ("{actor} hat das Passwort von {user} zurückgesetzt",),
    "user.password_reset#self": ("{actor} hat das eigene Passwort zurückgesetzt",),
    "user.mfa_enable": ("{actor} hat die Zwei-Faktor-Authentifizierung eingeschaltet",),
    "user.mfa_disable": ("{actor} hat die Zwei-Faktor-Authentifizierung ausgeschaltet",),
    "user.mfa_disable#failure": (
        "{actor} konnte die Zwei-Faktor-Authentifizierung nicht ausschalten{reason}",
    ),
    "user.access_token_reset": ("{actor} hat den eigenen API-Zugangstoken zurückgesetzt",),
    "sso_settings.update": ("{actor} hat die Single-Sign-on-Einstellungen geändert{fields}",),
    "sso_settings.enable": ("{actor} hat Single Sign-on eingeschaltet",),
    "sso_settings.disable": ("{actor} hat Single Sign-on ausgeschaltet",),
    "account.update": ("{actor} hat die Kontoeinstellungen geändert{fields}",),
    "account_user.create": (
        "{actor} hat {user} als {role} in das Konto eingeladen",
        "{actor} hat {user} in das Konto eingeladen",
    ),
    "account_user.update": ("{actor} hat den Agenten {user} geändert{fields}",),
    "account_user.update#self": ("{actor} hat das eigene Agentenprofil geändert{fields}",),
    "account_user.update#field:role": (
        "{actor} hat die Rolle von {user} von {from} zu {to} geändert",
        "{actor} hat die Rolle von {user} zu {to} geändert",
    ),
    "account_user.update#field:availability": (
        "{actor} hat die Verfügbarkeit von {user} auf {to} gesetzt",
    ),
    "account_user.update#self:field:availability": (
        "{actor} hat die eigene Verfügbarkeit auf {to} gesetzt",
    ),
    "account_user.delete": ("{actor} hat {user} aus dem Konto entfernt",),
    "account_user.go_online": ("{actor} ist online gegangen",),
    "account_user.go_offline": ("{actor} ist offline gegangen",),
    "team_member.add": ("{actor} hat {member} zum Team {target} hinzugefügt",),
    "team_member.remove": ("{actor} hat {member} aus dem Team {target} entfernt",),
    "inbox_member.add": ("{actor} hat {member} zum Posteingang {target} hinzugefügt",),
    "inbox_member.remove": ("{actor} hat {member} aus dem Posteingang {target} entfernt",),
    "conversation.status_change": (
        "{actor} hat den Status der Unterhaltung {target} von {from} auf {to} geändert",
        "{actor} hat den Status der Unterhaltung {target} auf {to} geändert",
        "{actor} hat den Status der Unterhaltung {target} geändert",
    ),
    "conversation.assignee_change": (
        "{actor} hat die Unterhaltung {target} von {from} an {to} übergeben",
        "{actor} hat die Unterhaltung {target} {to} zugewiesen",
        "{actor} hat die Zuweisung der Unterhaltung {target} an {from} aufgehoben",
        "{actor} hat die Zuständigkeit für die Unterhaltung {target} geändert",
    ),
    "conversation.team_change": (
        "{actor} hat die Unterhaltung {target} vom Team {from} zum Team {to} verschoben",
        "{actor} hat die Unterhaltung {target} dem Team {to} zugewiesen",
        "{actor} hat die Unterhaltung {target} aus dem Team {from} entfernt",
        "{actor} hat das Team der Unterhaltung {target} geändert",
    ),
    "conversation.priority_change": (
        "{actor} hat die Priorität der Unterhaltung {target} von {from} auf {to} geändert",
        "{actor} hat die Priorität der Unterhaltung {target} auf {to} gesetzt",
        "{actor} hat die Priorität der Unterhaltung {target} geändert",
    ),
    "conversation.label_add": (
        "{actor} hat der Unterhaltung {target} das Label „{label}“ hinzugefügt",
    ),
    "conversation.label_remove": (
        "{actor} hat das Label „{label}“ von der Unterhaltung {target} entfernt",
    ),
    "message.update": ("{actor} hat eine Nachricht in der Unterhaltung {conversation} bearbeitet",),
    "message.delete": ("{actor} hat eine Nachricht in der Unterhaltung {conversation} gelöscht",),
    "report.export": ("{actor} hat den Bericht „{report}“ exportiert",),
    "contact.merge": ("{actor} hat den Kontakt {merged} mit dem Kontakt {target} zusammengeführt",),
    "contact.import": ("{actor} hat {count} Kontakte importiert",),
    "contact.export": (
        "{actor} hat {count} Kontakte exportiert",
        "{actor} hat Kontakte exportiert",
    ),
    "integration.connect": ("{actor} hat die Integration {name} verbunden",),
    "integration.update": ("{actor} hat die Integration {name} geändert{fields}",),
    "integration.disconnect": ("{actor} hat die Integration {name} getrennt",),
    "audit_log.role_granted": ("{actor} hat {user} {access} gegeben{until}",),
    "audit_log.role_revoked": ("{actor} hat {user} {access} entzogen",),
    "audit_log.api_token_created": (
        "{actor} hat den API-Token „{name}“ zum {use} erstellt{until}",
    ),
    "audit_log.api_token_revoked": ("{actor} hat den API-Token „{name}“ widerrufen",),
    "audit_log.exported": ("{actor} hat {count} Audit-Log-Einträge als {format} exportiert",),
    "audit_log.exported#failure": (
        "Der Export des Audit-Logs als {format} durch {actor} brach nach {count} Einträgen "
        "ab{reason}",
    ),
    "audit_log.stream_created": ("{actor} hat den Log-Stream „{name}“ erstellt",),
    "audit_log.stream_updated": ("{actor} hat den Log-Stream „{name}“ geändert{fields}",),
    "audit_log.stream_paused": ("{actor} hat den Log-Stream „{name}“ angehalten",),
    "audit_log.stream_resumed": ("{actor} hat den Log-Stream „{name}“ fortgesetzt",),
    "audit_log.stream_deleted": ("{actor} hat den Log-Stream „{name}“ gelöscht",),
    "audit_log.stream_replayed": (
        "{actor} hat den Log-Stream „{name}“ ab Eintrag {count} erneut gesendet",
        "{actor} hat den Log-Stream „{name}“ erneut gesendet",
    ),
    "audit_log.stream_failing": (
        "{actor} meldet, dass der Log-Stream „{name}“ weiter fehlschlägt",
    ),
    "custom#": (
        "{actor} hat die benutzerdefinierte Aktion „{custom}“ für {target_type} {target} "
        "ausgeführt",
        "{actor} hat die benutzerdefinierte Aktion „{custom}“ ausgeführt",
    ),
    "unknown#": (
        "{actor} hat „{action}“ für {target_type} {target} ausgeführt",
        "{actor} hat „{action}“ ausgeführt",
    ),
    "failure#": ("{actor} konnte {object} nicht {infinitive}{reason}",),
    "failure#unknown": ("{actor} hat „{activity}“ versucht, ohne Erfolg{reason}",),
}

LABELS = {
    "user.sign_in": "Angemeldet",
    "user.sign_out": "Abgemeldet",
    "user.sign_up": "Registriert",
    "user.password_change": "Passwort geändert",
    "user.password_reset": "Passwort zurückgesetzt",
    "user.mfa_enable": "Zwei-Faktor-Authentifizierung eingeschaltet",
    "user.mfa_disable": "Zwei-Faktor-Authentifizierung ausgeschaltet",
    "user.access_token_reset": "API-Zugangstoken zurückgesetzt",
    "sso_settings.enable": "Single Sign-on eingeschaltet",
    "sso_settings.disable": "Single Sign-on ausgeschaltet",
    "account_user.create": "Agent eingeladen",
    "account_user.delete": "Agent aus dem Konto entfernt",
    "account_user.go_online": "Agent online gegangen",
    "account_user.go_offline": "Agent offline gegangen",
    "team_member.add": "Teammitglied hinzugefügt",
    "team_member.remove": "Teammitglied entfernt",
    "inbox_member.add": "Posteingangsmitglied hinzugefügt",
    "inbox_member.remove": "Posteingangsmitglied entfernt",
    "conversation.status_change": "Status einer Unterhaltung geändert",
    "conversation.assignee_change": "Zuständigkeit einer Unterhaltung geändert",
    "conversation.team_change": "Team einer Unterhaltung geändert",
    "conversation.priority_change": "Priorität einer Unterhaltung geändert",
    "conversation.label_add": "Label zu einer Unterhaltung hinzugefügt",
    "conversation.label_remove": "Label von einer Unterhaltung entfernt",
    "message.update": "Nachricht bearbeitet",
    "message.delete": "Nachricht gelöscht",
    "report.export": "Bericht exportiert",
    "contact.merge": "Kontakte zusammengeführt",
    "contact.import": "Kontakte importiert",
    "contact.export": "Kontakte exportiert",
    "integration.connect": "Integration verbunden",
    "integration.disconnect": "Integration getrennt",
    "audit_log.role_granted": "Audit-Log-Rolle vergeben",
    "audit_log.role_revoked": "Audit-Log-Rolle entzogen",
    "audit_log.api_token_created": "API-Token erstellt",
    "audit_log.api_token_revoked": "API-Token widerrufen",
    "audit_log.exported": "Audit-Log exportiert",
    "audit_log.stream_created": "Log-Stream erstellt",
    "audit_log.stream_updated": "Log-Stream geändert",
    "audit_log.stream_paused": "Log-Stream angehalten",
    "audit_log.stream_resumed": "Log-Stream fortgesetzt",
    "audit_log.stream_deleted": "Log-Stream gelöscht",
    "audit_log.stream_replayed": "Log-Stream erneut gesendet",
    "audit_log.stream_failing": "Log-Stream schlägt fehl",
}

WORDS = {
    "system": "System",
    "user": "Benutzer {id}",
    "api_client": "API-Client {id}",
    "unknown_actor": "ein unbekannter Benutzer",
    "and": " und ",
    "more": "{count} weitere",
    "until": " (gültig bis {date})",
    "reason": ": {reason}",
    "access:log_viewer": "Lesezugriff auf das Audit-Log",
    "access:admin": "Administratorrechte für das Audit-Log",
    "use:log_viewer": "Lesen des Audit-Logs",
    "use:ingest": "Erfassen von Ereignissen",
    "category:access": "Zugang",
    "category:agents_and_teams": "Agenten und Teams",
    "category:configuration": "Konfiguration",
    "category:conversations": "Unterhaltungen",
    "category:contacts": "Kontakte",
    "category:integrations": "Integrationen",
    "category:security": "Sicherheit",
    "category:audit_log": "Audit-Log",
    "category:custom": "Benutzerdefiniert",
}

FIELDS = {
    "url": "URL",
    "subscriptions": "abonnierte Ereignisse",
    "name": "Name",
    "greeting_message": "Begrüßungsnachricht",
    "display_name": "Anzeigename",
    "email": "E-Mail",
    "role": "Rolle",
    "availability": "Verfügbarkeit",
    "status": "Status",
    "priority": "Priorität",
    "description": "Beschreibung",
    "conditions": "Bedingungen",
    "actions": "Aktionen",
    "secret": "Geheimnis",
    "locale": "Sprache",
    "timezone": "Zeitzone",
    "working_hours": "Arbeitszeiten",
    "auto_assignment": "automatische Zuweisung",
    "feature_flags": "Funktionsschalter",
    "webhook_url": "Webhook-URL",
    "title": "Titel",
    "content": "Inhalt",
    "color": "Farbe",
    "enabled": "aktiviert",
    "phone_number": "Telefonnummer",
}

VALUES = {
    "role": {
        "0": "Agent",
        "1": "Administrator",
        "agent": "Agent",
        "administrator": "Administrator",
        "admin": "Administrator",
    },
    "availability": {
        "0": "online",
        "1": "offline",
        "2": "beschäftigt",
        "online": "online",
        "offline": "offline",
        "busy": "beschäftigt",
    },
    "status": {
        "0": "offen",
        "1": "gelöst",
        "2": "ausstehend",
        "3": "zurückgestellt",
        "open": "offen",
        "resolved": "gelöst",
        "pending": "ausstehend",
        "snoozed": "zurückgestellt",
    },
    "priority": {
        "0": "niedrig",
        "1": "mittel",
        "2": "hoch",
        "3": "dringend",
        "low": "niedrig",
        "medium": "mittel",
        "high": "hoch",
        "urgent": "dringend",
    },
}

GERMAN = Language(
    code="de",
    name="Deutsch",
    nouns=NOUNS,
    verbs=VERBS,
    sentences=SENTENCES,
    labels=LABELS,
    words=WORDS,
    fields=FIELDS,
    values=VALUES,
    date_format="%d.%m.%Y",
)
