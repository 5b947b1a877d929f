/**
 * Pages through the audit log as a dashboard does, through Apollo Client's InMemoryCache,
 * and checks that the cache gives back exactly what the server sent.
 *
 *   AUDITLOG_URL=http://127.0.0.1:8000/graphql AUDITLOG_TOKEN=<log-viewer token> \
 *     npm run page-through
 *
 * Optional: AUDITLOG_PAGE_SIZE (25), AUDITLOG_QUERY (a search, e.g. "category:security").
 * Each page is also fetched with plain `fetch` (same text, same variables, no cache); after
 * the last page, every field of every entry the cache holds must equal what the server
 * sent, in order; so must the facets and the histogram. Prints a JSON summary; exits 1 and
 * names the entry and field of each difference, 2 when the run itself failed.
 * `--merge-value-objects` keys Actor and Target by externalId, as the cache did while they
 * were called `id`: on a log where ids collide, the check then fails.
 */

import type { ApolloClient, ObservableQuery } from "@apollo/client";
import { filter, firstValueFrom } from "rxjs";

import { createClient, type SentRequest } from "./client.js";
import { differences } from "./compare.js";
import { DashboardFacets } from "./documents/dashboardFacets.js";
import { DashboardHistogram } from "./documents/dashboardHistogram.js";
import { DashboardPage } from "./documents/dashboardPage.js";
import type {
  DashboardPageQuery,
  DashboardPageQueryVariables,
  FacetField,
} from "./gql/graphql.js";
import { fetchData, requestBody } from "./raw.js";

type Settings = {
  url: string;
  token: string;
  pageSize: number;
  query: string | null;
  mergeValueObjects: boolean;
};
type Page = DashboardPageQuery;
type Edge = Page["auditLogs"]["edges"][number];

const FACET_FIELDS: FacetField[] = ["ACTION", "CATEGORY", "ACTOR", "TARGET_TYPE", "IP_ADDRESS"];
const MAX_PAGES = 1_000;
const SHOWN_PROBLEMS = 20;

async function main(argv: string[]): Promise<number> {
  const settings = readSettings(argv, process.env);
  const apolloSent: SentRequest[] = [];
  const rawSent: SentRequest[] = [];
  const client = createClient({
    url: settings.url,
    token: settings.token,
    mergeValueObjects: settings.mergeValueObjects,
    onRequest: (body) => apolloSent.push(body),
  });
  // The plain side of every comparison: the server's answer, recorded as it was asked.
  const raw: RawFetch = (document, variables) => {
    rawSent.push(requestBody(document, variables));
    return fetchData(settings.url, settings.token, document, variables);
  };
  try {
    const log = await pageThrough(client, settings, raw);
    const facetVariables = { fields: FACET_FIELDS, filter: null, query: settings.query, limit: 10 };
    const [facets, serverFacets] = await Promise.all([
      client.query({ query: DashboardFacets, variables: facetVariables }),
      raw(DashboardFacets, facetVariables),
    ]);
    const histogramVariables = {
      interval: "DAY" as const,
      timeZone: "Europe/Berlin",
      filter: null,
      query: settings.query,
    };
    const [histogram, serverHistogram] = await Promise.all([
      client.query({ query: DashboardHistogram, variables: histogramVariables }),
      raw(DashboardHistogram, histogramVariables),
    ]);
    const problems = [
      ...sameRequests(apolloSent, rawSent),
      ...log.problems,
      ...differences(facets.data, serverFacets, "facets"),
      ...differences(histogram.data, serverHistogram, "histogram"),
    ];
    const summary = {
      cache: settings.mergeValueObjects ? "merge-value-objects" : "default",
      entries: log.entries.length,
      pages: log.pages,
      pageSize: settings.pageSize,
      totalCount: log.totalCount,
      requests: apolloSent.length,
      facetValues: serverFacets.auditLogFacets.flatMap((facet) => facet.values).length,
      histogramBuckets: serverHistogram.auditLogHistogram.length,
      ...collisions(log.entries),
      mismatches: problems.length,
    };
    console.log(JSON.stringify(summary));
    for (const problem of problems.slice(0, SHOWN_PROBLEMS)) console.error(problem);
    if (problems.length > SHOWN_PROBLEMS) {
      console.error(`... and ${problems.length - SHOWN_PROBLEMS} more`);
    }
    return problems.length ? 1 : 0;
  } finally {
    client.stop();
  }
}

function readSettings(argv: string[], env: NodeJS.ProcessEnv): Settings {
  const unknown = argv.find((arg) => arg !== "--merge-value-objects");
  if (unknown !== undefined) {
    throw new Error(`Unknown argument "${unknown}"; the only option is --merge-value-objects.`);
  }
  const url = env["AUDITLOG_URL"];
  const token = env["AUDITLOG_TOKEN"];
  if (!url) throw new Error("AUDITLOG_URL is not set; set it to the service's /graphql URL.");
  if (!token) throw new Error("AUDITLOG_TOKEN is not set; set it to a log-viewer token.");
  const pageSize = Number(env["AUDITLOG_PAGE_SIZE"] ?? "25");
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    const given = env["AUDITLOG_PAGE_SIZE"];
    throw new Error(`AUDITLOG_PAGE_SIZE "${given}" is not valid; give a whole number above 0.`);
  }
  const query = env["AUDITLOG_QUERY"] || null;
  const mergeValueObjects = argv.includes("--merge-value-objects");
  return { url, token, pageSize, query, mergeValueObjects };
}

type RawFetch = <TData, TVariables>(
  document: Parameters<typeof fetchData<TData, TVariables>>[2],
  variables: TVariables,
) => Promise<TData>;

/** Fetch every page with fetchMore, and each one again with plain fetch; compare at the end. */
async function pageThrough(client: ApolloClient, settings: Settings, raw: RawFetch) {
  const variables: DashboardPageQueryVariables = {
    first: settings.pageSize,
    filter: null,
    query: settings.query,
    orderBy: "NEWEST_FIRST",
  };
  const watched = client.watchQuery({ query: DashboardPage, variables });
  // A subscriber keeps the query watching the cache while fetchMore adds pages to it.
  const subscription = watched.subscribe({});
  try {
    const [firstResult, firstPage] = await Promise.all([
      settled(watched),
      raw(DashboardPage, variables),
    ]);
    const serverPages = [firstPage];
    let cached = firstResult;
    while (cached.auditLogs.pageInfo.hasNextPage) {
      if (serverPages.length >= MAX_PAGES) {
        throw new Error(`Still more pages after ${MAX_PAGES}; is the log growing?`);
      }
      const { endCursor } = cached.auditLogs.pageInfo;
      const previous = serverPages[serverPages.length - 1]!.auditLogs.pageInfo;
      const [, page] = await Promise.all([
        watched.fetchMore({ variables: { after: endCursor } }),
        raw(DashboardPage, { ...variables, after: previous.endCursor }),
      ]);
      serverPages.push(page);
      const before = cached.auditLogs.edges.length;
      cached = await settled(watched);
      if (cached.auditLogs.edges.length <= before) {
        throw new Error(`fetchMore after "${endCursor}" added no entries to the cached list.`);
      }
    }
    const server = joinPages(serverPages);
    return {
      entries: server.auditLogs.edges,
      pages: serverPages.length,
      totalCount: server.auditLogs.totalCount,
      problems: comparePages(cached, server),
    };
  } finally {
    subscription.unsubscribe();
  }
}

/** The query's next result with no request in flight, as a dashboard would render it. */
async function settled(watched: ObservableQuery<Page, DashboardPageQueryVariables>): Promise<Page> {
  // fetchMore resolves before the watcher emits the merged list: wait for that emission.
  const idle = watched.pipe(filter((result) => !result.loading || result.error !== undefined));
  const result = await firstValueFrom(idle);
  if (result.error) throw result.error;
  if (result.dataState !== "complete") {
    throw new Error(`The cache holds ${result.dataState} data for the log.`);
  }
  return result.data;
}

/** The pages as one connection, as relayStylePagination merges them. */
function joinPages(pages: Page[]): Page {
  const first = pages[0]!;
  const last = pages[pages.length - 1]!;
  const edges = pages.flatMap((page) => page.auditLogs.edges);
  // Its read function answers "" for the cursors of an empty list, which the server sends as null.
  const cursor = (value: string | null) => (edges.length ? value : (value ?? ""));
  return {
    ...last,
    auditLogs: {
      ...last.auditLogs,
      edges,
      pageInfo: {
        ...last.auditLogs.pageInfo,
        hasPreviousPage: first.auditLogs.pageInfo.hasPreviousPage,
        startCursor: cursor(first.auditLogs.pageInfo.startCursor),
        endCursor: cursor(last.auditLogs.pageInfo.endCursor),
      },
    },
  };
}

function comparePages(cached: Page, server: Page): string[] {
  const expected = server.auditLogs.edges;
  const actual = cached.auditLogs.edges;
  const problems = expected.flatMap((edge, index) => {
    const entry = `entry ${index + 1} of ${expected.length}`;
    const where = `${entry} (sequence ${edge.node.sequence}, id ${edge.node.id})`;
    return differences(actual[index], edge, "").map((problem) => `${where}: ${problem}`);
  });
  if (actual.length !== expected.length) {
    problems.push(`the cache holds ${actual.length} entries, the server sent ${expected.length}`);
  }
  const { edges: _cachedEdges, ...cachedRest } = cached.auditLogs;
  const { edges: _serverEdges, ...serverRest } = server.auditLogs;
  const rest = differences(
    { ...cached, auditLogs: cachedRest },
    { ...server, auditLogs: serverRest },
    "",
  );
  return [...problems, ...rest];
}

/** How much the log tests the cache: ids shared across types, records renamed between entries. */
function collisions(entries: Edge[]): { sharedExternalIds: number; renamedRecords: number } {
  const typesById = new Map<string, Set<string>>();
  const namesByRecord = new Map<string, Set<string | null>>();
  for (const { node } of entries) {
    for (const [kind, value] of [["actor", node.actor], ["target", node.target]] as const) {
      if (value?.externalId == null) continue;
      const types = typesById.get(value.externalId) ?? new Set();
      typesById.set(value.externalId, types.add(`${kind}:${value.type}`));
      const record = `${kind}:${value.type}:${value.externalId}`;
      const names = namesByRecord.get(record) ?? new Set();
      namesByRecord.set(record, names.add(value.name));
    }
  }
  const count = <T>(sets: Map<string, Set<T>>) =>
    [...sets.values()].filter((set) => set.size > 1).length;
  return { sharedExternalIds: count(typesById), renamedRecords: count(namesByRecord) };
}

/** Apollo must have sent what the plain side sent: the same text and variables, in order. */
function sameRequests(apollo: SentRequest[], raw: SentRequest[]): string[] {
  const strip = ({ operationName, query, variables }: SentRequest) => ({
    operationName,
    query,
    variables,
  });
  return differences(apollo.map(strip), raw.map(strip), "requests");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
