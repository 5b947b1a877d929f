import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

// The SDL that `make schema` keeps in step with the service (a test fails when it is stale).
const config: CodegenConfig = {
  schema: "../../schema/schema.graphql",
  documents: ["src/documents/*.ts"],
  emitLegacyCommonJSImports: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      // Apollo's cache asks for __typename everywhere; asking in the documents too means
      // the generated types and the query text are exactly what goes over the wire.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        strictScalars: true,
        scalars: { DateTime: "string", BigInt: "string", JSON: "unknown" },
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
  },
};

export default config;
