import { graphql } from "../gql/index.js";

/** The activity chart above the table: entries per bucket, empty buckets included. */
export const DashboardHistogram = graphql(`
  query DashboardHistogram(
    $interval: HistogramInterval!
    $timeZone: String!
    $filter: AuditLogFilter
    $query: String
  ) {
    auditLogHistogram(interval: $interval, timeZone: $timeZone, filter: $filter, query: $query) {
      start
      count
    }
  }
`);
