// A small OpenID Connect relying party built on openid-client (the certified RP library),
// one per registered web application, as a plain Node http server on a loopback port:
//
//   GET /login[?prompt=none|login]  starts the authorization-code flow: fresh state, nonce
//                                   and (for public clients, or when asked) a PKCE S256
//                                   verifier, kept server-side under a per-application cookie
//   GET /callback                   authorizationCodeGrant (checks iss per RFC 9207, state,
//                                   nonce, the ID token's signature, aud, azp, exp, iat),
//                                   then at_hash (openid-client does not check it in the code
//                                   flow) and userinfo; shows the result as JSON in <pre id="result">
//   GET /logout                     RP-initiated logout with id_token_hint, client_id,
//                                   post_logout_redirect_uri and state
//   GET /logged-out                 the post-logout landing page; shows the state it received
//
// Every outcome, error or not, is shown as JSON so the browser test reads it from the page.
import http from 'node:http'
import crypto from 'node:crypto'
import * as client from 'openid-client'

const b64url = (buf) => Buffer.from(buf).toString('base64url')
const decodeJwt = (jwt) => {
  const [h, p] = jwt.split('.')
  return { header: JSON.parse(Buffer.from(h, 'base64url')), claims: JSON.parse(Buffer.from(p, 'base64url')) }
}

// atHash computes OIDC Core §3.1.3.6's at_hash for an RS256/ES256/PS256 token: the
// base64url of the left half of the SHA-256 of the access token's ASCII octets.
export const atHash = (accessToken) => b64url(crypto.createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16))

const escapeHTML = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]))

function page (res, status, title, result) {
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHTML(title)}</title></head>` +
    `<body><h1>${escapeHTML(title)}</h1><pre id="result">${escapeHTML(JSON.stringify(result, null, 2))}</pre></body></html>`
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(body)
}

function cookies (req) {
  const out = {}
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=')
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim())
  }
  return out
}

// startRP discovers the issuer and serves the relying party on 127.0.0.1:port.
// options: { name, issuer, clientId, clientSecret (confidential only), port, pkce,
// state (a function returning the state to send; default openid-client's randomState) }.
export async function startRP (options) {
  const { name, issuer, clientId, clientSecret, port } = options
  const pkce = options.pkce ?? !clientSecret
  const base = `http://127.0.0.1:${port}`
  const auth = clientSecret ? client.ClientSecretBasic(clientSecret) : client.None()
  // http:// is allowed only because everything runs on loopback in this test.
  const config = await client.discovery(new URL(issuer), clientId, clientSecret ? { client_secret: clientSecret } : {}, auth,
    { execute: [client.allowInsecureRequests] })

  const cookieName = `rp_${clientId.replace(/[^A-Za-z0-9]/g, '_')}`
  const pending = new Map() // transaction id → { state, nonce, verifier }
  const sessions = new Map() // session id → { idToken, claims }
  let lastLogoutState

  async function login (req, res, url) {
    const tx = { state: options.state ? options.state() : client.randomState(), nonce: client.randomNonce() }
    const params = {
      redirect_uri: `${base}/callback`,
      scope: 'openid profile email',
      response_type: 'code',
      state: tx.state,
      nonce: tx.nonce,
    }
    if (pkce) {
      tx.verifier = client.randomPKCECodeVerifier()
      params.code_challenge = await client.calculatePKCECodeChallenge(tx.verifier)
      params.code_challenge_method = 'S256'
    }
    for (const p of ['prompt', 'max_age', 'login_hint']) {
      if (url.searchParams.has(p)) params[p] = url.searchParams.get(p)
    }
    const id = crypto.randomUUID()
    pending.set(id, tx)
    res.writeHead(302, {
      Location: client.buildAuthorizationUrl(config, params).href,
      'Set-Cookie': `${cookieName}_tx=${id}; Path=/; HttpOnly; SameSite=Lax`,
      'Cache-Control': 'no-store',
    })
    res.end()
  }

  async function callback (req, res, url) {
    const tx = pending.get(cookies(req)[`${cookieName}_tx`])
    const params = Object.fromEntries(url.searchParams)
    if (!tx) return page(res, 400, `${name}: no pending sign-in`, { app: name, error: 'no_transaction', params })
    try {
      const tokens = await client.authorizationCodeGrant(config, url, {
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        pkceCodeVerifier: tx.verifier,
        idTokenExpected: true,
      })
      const idToken = decodeJwt(tokens.id_token)
      const claims = tokens.claims()
      const accessToken = tokens.access_token.split('.').length === 3 ? decodeJwt(tokens.access_token) : undefined
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
      const sid = crypto.randomUUID()
      sessions.set(sid, { idToken: tokens.id_token, claims })
      res.setHeader('Set-Cookie', `${cookieName}_session=${sid}; Path=/; HttpOnly; SameSite=Lax`)
      return page(res, 200, `${name}: signed in`, {
        app: name,
        ok: true,
        expectedState: tx.state,
        params: { ...params, code: params.code ? '(redacted)' : undefined },
        idTokenHeader: idToken.header,
        idToken: claims,
        atHashMatches: claims.at_hash === atHash(tokens.access_token),
        accessTokenHeader: accessToken?.header,
        accessToken: accessToken?.claims,
        tokenType: tokens.token_type,
        scope: tokens.scope,
        userinfo,
      })
    } catch (err) {
      return page(res, 400, `${name}: sign-in failed`, {
        app: name,
        ok: false,
        expectedState: tx.state,
        params,
        error: err.error ?? err.code ?? err.name,
        error_description: err.error_description,
        message: err.message,
      })
    } finally {
      pending.delete(cookies(req)[`${cookieName}_tx`])
    }
  }

  function logout (req, res, url) {
    const session = sessions.get(cookies(req)[`${cookieName}_session`])
    lastLogoutState = client.randomState()
    const params = {
      client_id: clientId,
      post_logout_redirect_uri: url.searchParams.get('post_logout_redirect_uri') ?? `${base}/logged-out`,
      state: lastLogoutState,
    }
    if (session) params.id_token_hint = session.idToken
    res.writeHead(302, { Location: client.buildEndSessionUrl(config, params).href, 'Cache-Control': 'no-store' })
    res.end()
  }

  function loggedOut (req, res, url) {
    sessions.delete(cookies(req)[`${cookieName}_session`])
    page(res, 200, `${name}: signed out`, {
      app: name,
      loggedOut: true,
      state: url.searchParams.get('state'),
      stateMatches: url.searchParams.get('state') === lastLogoutState,
    })
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, base)
    const route = { '/login': login, '/callback': callback, '/logout': logout, '/logged-out': loggedOut }[url.pathname]
    if (!route) return page(res, 404, `${name}: not found`, { app: name, path: url.pathname })
    // An async wrapper turns a synchronous throw (e.g. metadata without the endpoint a
    // route needs) into an error page instead of an uncaught exception.
    ;(async () => route(req, res, url))().catch((err) => {
      if (!res.headersSent) page(res, 500, `${name}: error`, { app: name, error: err.message })
    })
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return {
    name,
    clientId,
    base,
    config,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) }),
  }
}
