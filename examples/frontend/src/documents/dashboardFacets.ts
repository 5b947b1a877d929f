import { graphql } from "../gql/index.js";

/** The filter menu beside the table: the most frequent values of each field, with counts. */
export const DashboardFacets = graphql(`
  query DashboardFacets(
    $fields: [FacetField!]!
    $filter: AuditLogFilter
    $query: String
    $limit: Int! = 10
  ) {
    auditLogFacets(fields: $fields, filter: $filter, query: $query, limit: $limit) {
      field
      values {
        value
        label
        count
      }
    }
  }
`);
