"""Conditions render to the SQL each database's indexes can serve."""

from __future__ import annotations

from models.audit_log_query import all_of, contains_text, equals, negate


def test_words_searched_together_share_one_text_index_match_on_sqlite() -> None:
    sql, params = all_of(
        contains_text("Alice"), equals("account_id", "acme"), contains_text("SMITH")
    ).render("sqlite")
    assert sql.count("MATCH ?") == 1
    assert params == ['"alice" AND "smith"', "%alice%", "%smith%", "acme"]


def test_words_too_short_for_the_index_are_still_checked_by_like() -> None:
    sql, params = all_of(contains_text("al"), contains_text('x"yz')).render("sqlite")
    assert sql.count("MATCH ?") == 1 and sql.count("LIKE ?") == 2
    assert params == ['"x""yz"', "%al%", '%x"yz%']


def test_a_negated_word_keeps_its_own_match() -> None:
    sql, params = all_of(contains_text("alice"), negate(contains_text("bob"))).render("sqlite")
    assert sql.count("MATCH ?") == 2
    assert sql.index("NOT") > sql.index("MATCH ?")
    assert params == ['"alice"', "%alice%", '"bob"', "%bob%"]


def test_postgres_checks_every_word_with_like_and_escapes_wildcards() -> None:
    sql, params = all_of(contains_text("50%"), contains_text("a_b")).render("postgres")
    assert "MATCH" not in sql and sql.count("LIKE ?") == 2
    assert params == ["%50\\%%", "%a\\_b%"]
