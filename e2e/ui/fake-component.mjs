// A fake Camunda cluster for the console's browser tests: each component answers
// Spring Actuator's readiness probe and Operate/Tasklist usage-metrics endpoints under
// /<component>/actuator/…, and the test switches a component between healthy and
// unhealthy with POST /control/<component>/<healthy|unhealthy>.
//
//   node fake-component.mjs PORT
import http from 'node:http'

const port = Number(process.argv[2])
if (!port) {
  console.error('usage: node fake-component.mjs PORT')
  process.exit(2)
}
const healthy = new Map() // component → boolean (default healthy)

const json = (res, status, body) => {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://fake')
  const parts = url.pathname.split('/').filter(Boolean)
  if (req.method === 'POST' && parts[0] === 'control' && parts.length === 3) {
    healthy.set(parts[1], parts[2] === 'healthy')
    return json(res, 200, { component: parts[1], healthy: healthy.get(parts[1]) })
  }
  const [component, actuator, ...rest] = parts
  if (actuator !== 'actuator') return json(res, 404, { error: 'not found' })
  const up = healthy.get(component) ?? true
  const path = rest.join('/')
  if (path === 'health/readiness') {
    return json(res, up ? 200 : 503, { status: up ? 'UP' : 'DOWN' })
  }
  if (!up) return json(res, 503, { status: 'DOWN' })
  switch (path) {
    case 'usage-metrics/process-instances': return json(res, 200, { total: 42 })
    case 'usage-metrics/decision-instances': return json(res, 200, { total: 7 })
    case 'usage-metrics/assignees': return json(res, 200, { total: 2, assignees: ['alice', 'bob'] })
    case 'prometheus': res.writeHead(200, { 'Content-Type': 'text/plain' }); return res.end('# fake\n')
  }
  return json(res, 404, { error: 'not found' })
})
server.listen(port, '127.0.0.1', () => console.log(`fake component on 127.0.0.1:${port}`))
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)))
