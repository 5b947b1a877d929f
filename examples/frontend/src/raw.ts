/** Plain `fetch` of a GraphQL operation, with no client and no cache in between. */

import type { TypedDocumentNode } from "@apollo/client";
import { getOperationAST, print } from "graphql";

/** The server answered with an HTTP error or GraphQL errors. */
export class ServerError extends Error {}

/** What one request sends: the operation's name, its text and its variables. */
export function requestBody<TVariables>(
  document: TypedDocumentNode<unknown, TVariables>,
  variables: TVariables,
): { operationName: string | undefined; query: string; variables: TVariables } {
  const operationName = getOperationAST(document)?.name?.value;
  return { operationName, query: print(document), variables };
}

/** Post `document` with `variables` and return the `data` the server answered. */
export async function fetchData<TData, TVariables>(
  url: string,
  token: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json,application/json;q=0.9",
    },
    body: JSON.stringify(requestBody(document, variables)),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: TData | null; errors?: unknown[] };
  if (!response.ok || body.errors?.length || body.data == null) {
    throw new ServerError(`${url} answered HTTP ${response.status}: ${text.slice(0, 500)}`);
  }
  return body.data;
}
