// Runs one query with sparql-http-client (ParsingClient) and prints the answer as JSON,
// for tests/test_client_matrix.py. Usage: node client.mjs ENDPOINT FORM OPERATION QUERY
// FORM: select | ask | construct; OPERATION: get | postUrlencoded | postDirect.
import { ParsingClient } from 'sparql-http-client'

const [endpointUrl, form, operation, query] = process.argv.slice(2)
const client = new ParsingClient({ endpointUrl })

function term (t) {
  const out = { termType: t.termType, value: t.value }
  if (t.termType === 'Literal') {
    out.language = t.language
    out.datatype = t.datatype.value
  }
  return out
}

try {
  let answer
  if (form === 'select') {
    const rows = await client.query.select(query, { operation })
    answer = rows.map(row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, term(v)])))
  } else if (form === 'ask') {
    answer = await client.query.ask(query, { operation })
  } else {
    const dataset = await client.query.construct(query, { operation })
    answer = [...dataset].map(q => [term(q.subject), term(q.predicate), term(q.object)])
  }
  process.stdout.write(JSON.stringify(answer))
} catch (err) {
  process.stderr.write(String(err && err.stack ? err.stack : err))
  process.exit(1)
}
