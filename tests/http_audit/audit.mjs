// The GraphQL-over-HTTP audit of graphql-http against a running service:
// node audit.mjs URL TOKEN; exits 1 on any warning or error.
import { auditServer } from 'graphql-http';
const url = process.argv[2], token = process.argv[3];
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};
const results = await auditServer({ url, fetchFn });
let bad = 0;
for (const r of results) {
  if (r.status !== 'ok') { bad++; console.log(r.status, r.id, r.name, (r.reason || '').slice(0, 200)); }
}
console.log(`${results.filter(r => r.status === 'ok').length} ok, ${results.filter(r => r.status === 'warn').length} warn, ${results.filter(r => r.status === 'error').length} error`);
process.exit(bad ? 1 : 0);
