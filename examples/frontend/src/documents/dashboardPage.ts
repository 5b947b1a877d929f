import { graphql } from "../gql/index.js";

/** One page of the log as a dashboard table shows it, with the totals above it. */
export const DashboardPage = graphql(`
  query DashboardPage(
    $first: Int!
    $after: String
    $filter: AuditLogFilter
    $query: String
    $orderBy: AuditLogOrder! = NEWEST_FIRST
  ) {
    auditLogs(first: $first, after: $after, filter: $filter, query: $query, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          id
          sequence
          action
          category
          description
          outcome
          failureReason
          actor {
            type
            externalId
            name
            email
          }
          target {
            type
            externalId
            name
          }
          changes {
            field
            before
            after
          }
          metadata
          ipAddress
          userAgent
          requestId
          occurredAt
          recordedAt
        }
      }
    }
  }
`);
