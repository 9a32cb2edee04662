// The application behind oauth2-proxy: shows, as JSON in <pre id="result">, the path it
// was asked for and the identity headers oauth2-proxy passed on.
//
//   node upstream.mjs PORT
import http from 'node:http'

const port = Number(process.argv[2])
const escapeHTML = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]))

http.createServer((req, res) => {
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name.startsWith('x-forwarded-') || name === 'authorization'))
  const body = JSON.stringify({ path: req.url, headers }, null, 2)
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>upstream</title></head><body><pre id="result">${escapeHTML(body)}</pre></body></html>`)
}).listen(port, '127.0.0.1', () => console.log(`upstream on 127.0.0.1:${port}`))
