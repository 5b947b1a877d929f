"""Parsed and validated documents, cached by query text within a memory budget.

Dashboards send the same few query texts again and again; parsing and validating them
once saves most of the pre-execution work. A cache keyed by whole query texts must not
let a client fill memory with large distinct ones, so only texts up to
`max_query_chars` are kept, and the oldest entries leave once the kept texts add up to
more than `max_total_chars` (a document's tree takes a few times its text).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension


@dataclass
class CachedDocument:
    """One query text's parse tree and, once validated, its validation errors."""

    document: DocumentNode
    errors: list[GraphQLError] | None = None


@dataclass
class DocumentCache:
    """A least-recently-used map from query text to CachedDocument, bounded in size."""

    max_entries: int = 256
    max_total_chars: int = 2 * 1024 * 1024
    max_query_chars: int = 32 * 1024
    _entries: OrderedDict[str, CachedDocument] = field(default_factory=OrderedDict)
    _total_chars: int = 0

    def get(self, query: str) -> CachedDocument | None:
        """Return the cached entry of `query`, marking it recently used."""
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
        return entry

    def put(self, query: str, document: DocumentNode) -> CachedDocument | None:
        """Keep `document` for `query` if it is small enough; return the entry kept."""
        if len(query) > self.max_query_chars:
            return None
        entry = CachedDocument(document)
        self._entries[query] = entry
        self._total_chars += len(query)
        while len(self._entries) > self.max_entries or self._total_chars > self.max_total_chars:
            oldest, _ = self._entries.popitem(last=False)
            self._total_chars -= len(oldest)
        return entry

    @property
    def total_chars(self) -> int:
        """How many characters of query text the cache holds."""
        return self._total_chars

    def __len__(self) -> int:
        return len(self._entries)


class CachedDocuments(SchemaExtension):
    """Answer parsing and validation from a DocumentCache when the query text is known.

    A text that does not parse is left to Strawberry's own parse step, which reports
    the syntax error through the normal error handling.
    """

    def __init__(self, cache: DocumentCache) -> None:
        super().__init__()
        self.cache = cache
        self.entry: CachedDocument | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is not None:
            self.entry = self.cache.get(query)
            if self.entry is None and len(query) <= self.cache.max_query_chars:
                try:
                    document = parse(query, **context.parse_options)
                except GraphQLError:
                    document = None
                if document is not None:
                    self.entry = self.cache.put(query, document)
            if self.entry is not None:
                context.graphql_document = self.entry.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = self.entry
        cached = entry is not None and entry.document is context.graphql_document
        if cached and entry is not None and entry.errors is not None:
            context.pre_execution_errors = entry.errors
        yield
        if cached and entry is not None and entry.errors is None:
            entry.errors = context.pre_execution_errors
