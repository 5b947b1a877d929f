/** The dashboard's Apollo Client: a default InMemoryCache with Relay-style paging of the log. */

import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import type { TypePolicies } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

/** A request body as Apollo's HttpLink sent it. */
export type SentRequest = {
  operationName?: string | undefined;
  query: string;
  variables?: unknown;
};

export type ClientOptions = {
  url: string;
  token: string;
  /** Key Actor and Target by externalId, as the cache did while they were called id. */
  mergeValueObjects?: boolean;
  /** Called with each request body Apollo sends. */
  onRequest?: (body: SentRequest) => void;
};

/** Return a client whose cache is configured as a dashboard needs, and no more. */
export function createClient(options: ClientOptions): ApolloClient {
  const link = new HttpLink({
    uri: options.url,
    headers: { Authorization: `Bearer ${options.token}` },
    fetch: async (input, init) => {
      if (options.onRequest && typeof init?.body === "string") {
        options.onRequest(JSON.parse(init.body) as SentRequest);
      }
      return fetch(input, init);
    },
  });
  const cache = new InMemoryCache({ typePolicies: typePolicies(options) });
  return new ApolloClient({ link, cache });
}

function typePolicies(options: ClientOptions): TypePolicies {
  // Each filter and search is its own list; `first` and `after` only page through it.
  const policies: TypePolicies = {
    Query: { fields: { auditLogs: relayStylePagination(["filter", "query", "orderBy"]) } },
  };
  if (options.mergeValueObjects) {
    // The identity Apollo gave these objects while they carried `id`: "Target:2" for
    // inbox 2 and team 2 alike, one record for every entry naming them.
    const byExternalId = (object: Readonly<Record<string, unknown>>) =>
      object["externalId"] == null
        ? false
        : `${String(object["__typename"])}:${String(object["externalId"])}`;
    policies["Actor"] = { keyFields: byExternalId };
    policies["Target"] = { keyFields: byExternalId };
  }
  return policies;
}
