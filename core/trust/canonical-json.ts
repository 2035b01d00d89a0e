/**
 * One byte string per value, so a signature made on one node verifies on every other: JSON with
 * object keys in code-unit order, no white space, and fields whose value is undefined left out (as
 * JSON.stringify leaves them out). Numbers are written by JSON.stringify, whose shortest round-trip
 * form ECMAScript fixes for every engine; a value JSON cannot carry (NaN, a function) is refused
 * rather than written as something else.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const fields = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${fields.join(',')}}`;
  }
  throw new TypeError(`a ${typeof value} has no JSON form`);
}
