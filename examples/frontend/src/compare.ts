/** Field-by-field comparison of two JSON values, naming where they differ. */

/** Return one line per difference between `actual` and `expected`, each starting with its path. */
export function differences(actual: unknown, expected: unknown, path: string): string[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const found = expected.flatMap((item, index) =>
      index < actual.length ? differences(actual[index], item, `${path}[${index}]`) : [],
    );
    if (actual.length !== expected.length) {
      found.push(`${path}: ${actual.length} items, the server sent ${expected.length}`);
    }
    return found;
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys].flatMap((key) => {
      const where = path ? `${path}.${key}` : key;
      if (!(key in actual)) return [`${where}: missing, the server sent ${show(expected[key])}`];
      if (!(key in expected)) return [`${where}: ${show(actual[key])}, the server sent nothing`];
      return differences(actual[key], expected[key], where);
    });
  }
  if (Object.is(actual, expected)) return [];
  return [`${path}: ${show(actual)}, the server sent ${show(expected)}`];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
