// Run one SPARQL query with the Comunica engine over one or more SPARQL endpoints and print
// the bindings (or the boolean, or the triples) as JSON on stdout.
//
//   node comunica-query.mjs QUERY_FILE ENDPOINT [ENDPOINT…]
//
// Each ENDPOINT is declared as a SPARQL endpoint ({ type: 'sparql', value }), so Comunica
// sends sub-queries over the SPARQL 1.1 Protocol and joins the answers itself: with two
// endpoints this is link-traversal-free federation across our /sparql and another service.
// Exit code 0 on success, 1 with the error message on stderr otherwise.
import { readFileSync } from 'node:fs';
import { QueryEngine } from '@comunica/query-sparql';

const [queryFile, ...endpoints] = process.argv.slice(2);
if (!queryFile || endpoints.length === 0) {
  console.error('usage: node comunica-query.mjs QUERY_FILE ENDPOINT [ENDPOINT…]');
  process.exit(2);
}

function term(t) {
  const out = { termType: t.termType, value: t.value };
  if (t.termType === 'Literal') {
    if (t.language) out.language = t.language;
    out.datatype = t.datatype.value;
  }
  return out;
}

const engine = new QueryEngine();
const context = {
  sources: endpoints.map((value) => ({ type: 'sparql', value })),
  httpTimeout: 30000,
  lenient: false,
};

try {
  const query = readFileSync(queryFile, 'utf8');
  const result = await engine.query(query, context);
  let answer;
  if (result.resultType === 'bindings') {
    const stream = await result.execute();
    const rows = await stream.toArray();
    answer = {
      type: 'bindings',
      rows: rows.map((b) => Object.fromEntries([...b].map(([k, v]) => [k.value, term(v)]))),
    };
  } else if (result.resultType === 'boolean') {
    answer = { type: 'boolean', value: await result.execute() };
  } else {
    const stream = await result.execute();
    const quads = await stream.toArray();
    answer = {
      type: 'quads',
      quads: quads.map((q) => [term(q.subject), term(q.predicate), term(q.object)]),
    };
  }
  process.stdout.write(JSON.stringify(answer));
  process.exit(0);
} catch (error) {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
}
