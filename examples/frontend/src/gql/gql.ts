/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query DashboardFacets(\n    $fields: [FacetField!]!\n    $filter: AuditLogFilter\n    $query: String\n    $limit: Int! = 10\n  ) {\n    auditLogFacets(fields: $fields, filter: $filter, query: $query, limit: $limit) {\n      field\n      values {\n        value\n        label\n        count\n      }\n    }\n  }\n": typeof types.DashboardFacetsDocument,
    "\n  query DashboardHistogram(\n    $interval: HistogramInterval!\n    $timeZone: String!\n    $filter: AuditLogFilter\n    $query: String\n  ) {\n    auditLogHistogram(interval: $interval, timeZone: $timeZone, filter: $filter, query: $query) {\n      start\n      count\n    }\n  }\n": typeof types.DashboardHistogramDocument,
    "\n  query DashboardPage(\n    $first: Int!\n    $after: String\n    $filter: AuditLogFilter\n    $query: String\n    $orderBy: AuditLogOrder! = NEWEST_FIRST\n  ) {\n    auditLogs(first: $first, after: $after, filter: $filter, query: $query, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          sequence\n          action\n          category\n          description\n          outcome\n          failureReason\n          actor {\n            type\n            externalId\n            name\n            email\n          }\n          target {\n            type\n            externalId\n            name\n          }\n          changes {\n            field\n            before\n            after\n          }\n          metadata\n          ipAddress\n          userAgent\n          requestId\n          occurredAt\n          recordedAt\n        }\n      }\n    }\n  }\n": typeof types.DashboardPageDocument,
};
const documents: Documents = {
    "\n  query DashboardFacets(\n    $fields: [FacetField!]!\n    $filter: AuditLogFilter\n    $query: String\n    $limit: Int! = 10\n  ) {\n    auditLogFacets(fields: $fields, filter: $filter, query: $query, limit: $limit) {\n      field\n      values {\n        value\n        label\n        count\n      }\n    }\n  }\n": types.DashboardFacetsDocument,
    "\n  query DashboardHistogram(\n    $interval: HistogramInterval!\n    $timeZone: String!\n    $filter: AuditLogFilter\n    $query: String\n  ) {\n    auditLogHistogram(interval: $interval, timeZone: $timeZone, filter: $filter, query: $query) {\n      start\n      count\n    }\n  }\n": types.DashboardHistogramDocument,
    "\n  query DashboardPage(\n    $first: Int!\n    $after: String\n    $filter: AuditLogFilter\n    $query: String\n    $orderBy: AuditLogOrder! = NEWEST_FIRST\n  ) {\n    auditLogs(first: $first, after: $after, filter: $filter, query: $query, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          sequence\n          action\n          category\n          description\n          outcome\n          failureReason\n          actor {\n            type\n            externalId\n            name\n            email\n          }\n          target {\n            type\n            externalId\n            name\n          }\n          changes {\n            field\n            before\n            after\n          }\n          metadata\n          ipAddress\n          userAgent\n          requestId\n          occurredAt\n          recordedAt\n        }\n      }\n    }\n  }\n": types.DashboardPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardFacets(\n    $fields: [FacetField!]!\n    $filter: AuditLogFilter\n    $query: String\n    $limit: Int! = 10\n  ) {\n    auditLogFacets(fields: $fields, filter: $filter, query: $query, limit: $limit) {\n      field\n      values {\n        value\n        label\n        count\n      }\n    }\n  }\n"): (typeof documents)["\n  query DashboardFacets(\n    $fields: [FacetField!]!\n    $filter: AuditLogFilter\n    $query: String\n    $limit: Int! = 10\n  ) {\n    auditLogFacets(fields: $fields, filter: $filter, query: $query, limit: $limit) {\n      field\n      values {\n        value\n        label\n        count\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardHistogram(\n    $interval: HistogramInterval!\n    $timeZone: String!\n    $filter: AuditLogFilter\n    $query: String\n  ) {\n    auditLogHistogram(interval: $interval, timeZone: $timeZone, filter: $filter, query: $query) {\n      start\n      count\n    }\n  }\n"): (typeof documents)["\n  query DashboardHistogram(\n    $interval: HistogramInterval!\n    $timeZone: String!\n    $filter: AuditLogFilter\n    $query: String\n  ) {\n    auditLogHistogram(interval: $interval, timeZone: $timeZone, filter: $filter, query: $query) {\n      start\n      count\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardPage(\n    $first: Int!\n    $after: String\n    $filter: AuditLogFilter\n    $query: String\n    $orderBy: AuditLogOrder! = NEWEST_FIRST\n  ) {\n    auditLogs(first: $first, after: $after, filter: $filter, query: $query, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          sequence\n          action\n          category\n          description\n          outcome\n          failureReason\n          actor {\n            type\n            externalId\n            name\n            email\n          }\n          target {\n            type\n            externalId\n            name\n          }\n          changes {\n            field\n            before\n            after\n          }\n          metadata\n          ipAddress\n          userAgent\n          requestId\n          occurredAt\n          recordedAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query DashboardPage(\n    $first: Int!\n    $after: String\n    $filter: AuditLogFilter\n    $query: String\n    $orderBy: AuditLogOrder! = NEWEST_FIRST\n  ) {\n    auditLogs(first: $first, after: $after, filter: $filter, query: $query, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          sequence\n          action\n          category\n          description\n          outcome\n          failureReason\n          actor {\n            type\n            externalId\n            name\n            email\n          }\n          target {\n            type\n            externalId\n            name\n          }\n          changes {\n            field\n            before\n            after\n          }\n          metadata\n          ipAddress\n          userAgent\n          requestId\n          occurredAt\n          recordedAt\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;