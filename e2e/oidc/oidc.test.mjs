// Gatehouse as an OpenID Provider for people, proven by real relying parties: two
// openid-client applications (a confidential one with client_secret_basic, a public one
// with PKCE S256) and Debian's chromium driven by playwright-core through Gatehouse's
// login page. run.sh starts Gatehouse with the user and both applications registered and
// sets the environment. The tests share one browser, in order, as a person would use it:
// no session → wrong password → sign in → single sign-on into the second application →
// prompt=none → logout ends single sign-on for both.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'
import * as client from 'openid-client'
import { startRP } from './rp.mjs'

const env = (name) => {
  const v = process.env[name]
  assert.ok(v, `${name} must be set (run e2e/oidc/run.sh)`)
  return v
}
const IDENTITY = env('IDENTITY_URL')
const ISSUER = `${IDENTITY}/auth/realms/camunda-platform`
const USER = env('OIDC_USER')
const PASSWORD = env('OIDC_PASSWORD')
const EMAIL = env('OIDC_EMAIL')
const FIRST = env('OIDC_FIRST_NAME')
const LAST = env('OIDC_LAST_NAME')
const CONF_ID = env('CONFIDENTIAL_CLIENT_ID')
const CONF_SECRET = env('CONFIDENTIAL_CLIENT_SECRET')
const CONF_PORT = Number(env('CONFIDENTIAL_PORT'))
const PUB_ID = env('PUBLIC_CLIENT_ID')
const PUB_PORT = Number(env('PUBLIC_PORT'))
const TRAP_PORT = Number(env('TRAP_PORT'))
const SHOTS = process.env.SCREENSHOT_DIR

let context, page, profile, confidential, pub, trap
const trapHits = [] // requests that reached the trap server: an open redirect if any

before(async () => {
  // A server on a port no application registered: every authorization or logout request
  // that names it must end on an error page at Gatehouse, never here.
  trap = http.createServer((req, res) => { trapHits.push(req.url); res.end('trap') })
  await new Promise((resolve) => trap.listen(TRAP_PORT, '127.0.0.1', resolve))
  profile = await fs.mkdtemp(path.join(os.tmpdir(), 'gatehouse-oidc-'))
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  })
  page = context.pages()[0] ?? await context.newPage()
  page.setDefaultTimeout(10_000)
  page.setDefaultNavigationTimeout(10_000)
})

after(async () => {
  await confidential?.close()
  await pub?.close()
  await context?.close()
  await new Promise((resolve) => trap ? trap.close(resolve) : resolve())
  if (profile) await fs.rm(profile, { recursive: true, force: true })
})

const shot = async (name) => {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })
}

// result reads the JSON a relying party shows on its page.
async function result () {
  return JSON.parse(await page.locator('#result').textContent())
}

const onGatehouse = () => new URL(page.url()).origin === new URL(IDENTITY).origin

// visit opens an application's URL and follows every redirect; it returns once the browser
// rests on either the application or Gatehouse's login page.
async function visit (rp, pathAndQuery) {
  await page.goto(`${rp.base}${pathAndQuery}`)
  await page.waitForLoadState('load')
}

async function loginPageShown () {
  return onGatehouse() && await page.locator('#kc-login').isVisible()
}

async function signIn (username, password) {
  assert.ok(await loginPageShown(), `expected Gatehouse's login page, at ${page.url()}`)
  await page.fill('input[name="username"]', username)
  await page.fill('input[name="password"]', password)
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click('#kc-login'),
  ])
  return response
}

test('discovery: openid-client accepts the metadata, which is complete and truthful', async () => {
  confidential = await startRP({ name: 'confidential', issuer: ISSUER, clientId: CONF_ID, clientSecret: CONF_SECRET, port: CONF_PORT })
  pub = await startRP({
    name: 'public',
    issuer: ISSUER,
    clientId: PUB_ID,
    port: PUB_PORT,
    // Characters that must survive the round trip byte for byte (OIDC Core §3.1.2.5).
    state: () => `${client.randomState()} ~ä é/+=&?#`,
  })
  const m = confidential.config.serverMetadata()
  const endpoint = (name) => `${ISSUER}/protocol/openid-connect/${name}`
  assert.equal(m.issuer, ISSUER)
  assert.equal(m.authorization_endpoint, endpoint('auth'))
  assert.equal(m.token_endpoint, endpoint('token'))
  assert.equal(m.userinfo_endpoint, endpoint('userinfo'))
  assert.equal(m.end_session_endpoint, endpoint('logout'))
  assert.equal(m.jwks_uri, endpoint('certs'))
  assert.deepEqual(m.response_types_supported, ['code'])
  assert.deepEqual(m.code_challenge_methods_supported, ['S256'])
  assert.equal(m.authorization_response_iss_parameter_supported, true)
  assert.ok(m.id_token_signing_alg_values_supported.includes('RS256'))
  assert.deepEqual(m.subject_types_supported, ['public'])
  for (const s of ['openid', 'profile', 'email']) assert.ok(m.scopes_supported.includes(s), `scopes_supported has ${s}`)
  for (const g of ['authorization_code', 'client_credentials']) assert.ok(m.grant_types_supported.includes(g), `grant_types_supported has ${g}`)
  // 'none' is how a public client authenticates (RFC 7591 §2), so truthful metadata lists it.
  for (const a of ['client_secret_basic', 'client_secret_post', 'none']) {
    assert.ok(m.token_endpoint_auth_methods_supported.includes(a), `token_endpoint_auth_methods_supported has ${a}`)
  }
  for (const r of ['query', 'fragment', 'form_post']) assert.ok(m.response_modes_supported.includes(r), `response_modes_supported has ${r}`)
  for (const c of ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'preferred_username', 'name', 'given_name',
    'family_name', 'email', 'email_verified']) {
    assert.ok(m.claims_supported.includes(c), `claims_supported has ${c}`)
  }
})

test('prompt=none without a session comes back with login_required (and iss, and state)', async () => {
  await visit(confidential, '/login?prompt=none')
  assert.ok(!onGatehouse(), `prompt=none must not show a page at Gatehouse, at ${page.url()}`)
  const r = await result()
  assert.equal(r.ok, false)
  assert.equal(r.error, 'login_required', JSON.stringify(r))
  assert.equal(r.params.iss, ISSUER)
  assert.equal(r.params.state, r.expectedState)
})

test('a wrong password shows an error on the login page that does not say which part was wrong', async () => {
  await visit(confidential, '/login')
  await shot('login-page')
  const fresh = await page.locator('body').innerText()
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('name'))
  assert.equal(focused, 'username', 'the username field has the focus')

  const wrongPassword = await signIn(USER, `${PASSWORD}-wrong`)
  assert.ok([200, 401].includes(wrongPassword.status()), `status ${wrongPassword.status()}`)
  assert.ok(await loginPageShown(), 'still on the login page')
  const afterWrongPassword = await page.locator('body').innerText()
  await shot('login-wrong-password')
  assert.notEqual(afterWrongPassword, fresh, 'an error is shown')
  assert.ok(!(await page.content()).includes(`${PASSWORD}-wrong`), 'the page does not echo the password')

  const unknownUser = await signIn(`nobody-${Date.now()}`, PASSWORD)
  assert.ok([200, 401].includes(unknownUser.status()), `status ${unknownUser.status()}`)
  assert.ok(await loginPageShown(), 'still on the login page')
  const afterUnknownUser = await page.locator('body').innerText()
  assert.equal(afterUnknownUser, afterWrongPassword, 'an unknown user and a wrong password read the same')
  assert.equal(trapHits.length, 0)
})

test('confidential client: the browser signs in and the application gets verified tokens and userinfo', async () => {
  // The browser is still on the login page of the previous test's authorization request.
  await signIn(USER, PASSWORD)
  assert.ok(page.url().startsWith(`${confidential.base}/callback`), `landed at ${page.url()}`)
  await shot('confidential-signed-in')
  const r = await result()
  assert.equal(r.ok, true, JSON.stringify(r))
  assert.equal(r.params.iss, ISSUER, 'iss on the authorization response (RFC 9207)')
  assert.equal(r.params.state, r.expectedState)

  assert.equal(r.idTokenHeader.alg, 'RS256')
  assert.ok(r.idTokenHeader.kid, 'the ID token names its key')
  const id = r.idToken
  assert.equal(id.iss, ISSUER)
  assert.ok([id.aud].flat().includes(CONF_ID), `aud ${JSON.stringify(id.aud)}`)
  assert.equal(id.azp, CONF_ID)
  assert.match(id.sub, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'sub is the user UUID')
  const now = Math.floor(Date.now() / 1000)
  assert.ok(id.iat <= now + 5 && id.exp > now && id.exp > id.iat, `iat ${id.iat} exp ${id.exp}`)
  assert.ok(Number.isInteger(id.auth_time) && id.auth_time <= now + 5 && id.auth_time > now - 120, `auth_time ${id.auth_time}`)
  assert.ok(typeof id.nonce === 'string' && id.nonce.length > 0)
  assert.ok(typeof id.sid === 'string' && id.sid.length > 0, 'sid')
  assert.ok(r.atHashMatches, `at_hash ${id.at_hash} matches the access token`)
  assert.equal(id.preferred_username, USER)
  assert.equal(id.given_name, FIRST)
  assert.equal(id.family_name, LAST)
  assert.equal(id.name, `${FIRST} ${LAST}`)
  assert.equal(id.email, EMAIL)
  assert.equal(typeof id.email_verified, 'boolean')

  const at = r.accessToken
  assert.ok(at, 'the access token is a JWT')
  assert.equal(at.iss, ISSUER)
  assert.equal(at.sub, id.sub)
  assert.equal(at.preferred_username, USER)
  assert.equal(at.email, EMAIL)
  assert.equal(at.sid, id.sid)
  assert.ok(at.scope.split(' ').includes('openid'), `scope ${at.scope}`)
  assert.ok(at.azp === CONF_ID || at.client_id === CONF_ID, 'azp or client_id names the application')
  assert.match(r.tokenType, /^bearer$/i)

  assert.equal(r.userinfo.sub, id.sub)
  assert.equal(r.userinfo.preferred_username, USER)
  assert.equal(r.userinfo.email, EMAIL)
  assert.equal(r.userinfo.name, `${FIRST} ${LAST}`)
  confidential.signedIn = { sub: id.sub, sid: id.sid }
})

test('prompt=none with a session gives a code without showing the login page', async () => {
  const shownAtGatehouse = []
  const record = (frame) => { if (frame === page.mainFrame()) shownAtGatehouse.push(frame.url()) }
  page.on('framenavigated', record)
  try {
    await visit(confidential, '/login?prompt=none')
  } finally {
    page.off('framenavigated', record)
  }
  assert.ok(page.url().startsWith(`${confidential.base}/callback`), `landed at ${page.url()}`)
  const r = await result()
  assert.equal(r.ok, true, JSON.stringify(r))
  assert.equal(r.idToken.sub, confidential.signedIn.sub)
  assert.equal(r.idToken.sid, confidential.signedIn.sid, 'the same single sign-on session')
  assert.deepEqual(shownAtGatehouse.filter((u) => u.startsWith(IDENTITY)), [], 'no page at Gatehouse was shown')
})

test('single sign-on: the public client (PKCE) signs in without the password', async () => {
  await visit(pub, '/login')
  assert.ok(page.url().startsWith(`${pub.base}/callback`), `expected no login page, at ${page.url()}`)
  await shot('public-signed-in')
  const r = await result()
  assert.equal(r.ok, true, JSON.stringify(r))
  assert.equal(r.params.iss, ISSUER)
  assert.equal(r.params.state, r.expectedState, 'state echoed byte for byte')
  assert.ok(r.expectedState.includes(' ~ä é/+=&?#'))
  const id = r.idToken
  assert.ok([id.aud].flat().includes(PUB_ID), `aud ${JSON.stringify(id.aud)}`)
  assert.equal(id.azp, PUB_ID)
  assert.equal(id.sub, confidential.signedIn.sub, 'the same person')
  assert.equal(id.sid, confidential.signedIn.sid, 'the same single sign-on session')
  assert.equal(id.auth_time <= Math.floor(Date.now() / 1000) + 5, true)
  assert.ok(r.atHashMatches)
  assert.equal(id.email, EMAIL)
  assert.ok(r.accessToken.azp === PUB_ID || r.accessToken.client_id === PUB_ID)
  assert.equal(r.userinfo.sub, id.sub)
})

test('a public client cannot redeem a code without its PKCE verifier', async () => {
  // Hand-made request without code_challenge: PKCE is required for public clients, so the
  // error goes back to the registered redirect URI (or the request is refused outright).
  const url = client.buildAuthorizationUrl(pub.config, {
    redirect_uri: `${pub.base}/callback`, scope: 'openid', response_type: 'code', state: 'no-pkce',
  })
  const res = await fetch(url, { redirect: 'manual' })
  if (res.status >= 300 && res.status < 400) {
    const back = new URL(res.headers.get('location'))
    assert.equal(back.origin + back.pathname, `${pub.base}/callback`)
    assert.equal(back.searchParams.get('error'), 'invalid_request')
    assert.equal(back.searchParams.get('state'), 'no-pkce')
    assert.equal(back.searchParams.get('iss'), ISSUER)
  } else {
    assert.ok(res.status >= 400, `status ${res.status}`)
  }
})

test('an unregistered redirect_uri shows an error page at Gatehouse and never redirects', async () => {
  const cases = {
    'another port': `http://127.0.0.1:${TRAP_PORT}/callback`,
    'another path': `${confidential.base}/callback/../../evil`,
    'a longer path': `${confidential.base}/callback/more`,
    'an added query': `${confidential.base}/callback?next=http://127.0.0.1:${TRAP_PORT}/`,
    'another host': `http://localhost:${CONF_PORT}/callback`,
  }
  for (const [name, redirectUri] of Object.entries(cases)) {
    const url = client.buildAuthorizationUrl(confidential.config, {
      redirect_uri: redirectUri, scope: 'openid', response_type: 'code', state: 's', nonce: 'n',
    })
    const response = await page.goto(url.href)
    assert.ok(onGatehouse(), `${name}: the browser left Gatehouse for ${page.url()}`)
    assert.ok(response.status() >= 400, `${name}: status ${response.status()}`)
    assert.ok(!(await page.locator('#kc-login').isVisible()), `${name}: an error page, not the login page`)
  }
  await shot('unregistered-redirect-uri')
  assert.deepEqual(trapHits, [])
})

test('RP-initiated logout returns with state and ends single sign-on for every application', async () => {
  // The browser's cookies while signed in: replayed after logout, they must not revive the
  // session (it ends at Gatehouse, not only in this browser).
  const signedInCookies = await context.cookies(IDENTITY)
  await visit(pub, '/logout')
  // RP-Initiated Logout 1.0 §2 lets the OP ask the person to confirm; confirm if asked.
  if (onGatehouse()) {
    await shot('logout-confirmation')
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type="submit"], input[type="submit"]')])
  }
  assert.ok(page.url().startsWith(`${pub.base}/logged-out`), `landed at ${page.url()}`)
  const r = await result()
  assert.equal(r.stateMatches, true, JSON.stringify(r))

  for (const rp of [confidential, pub]) {
    await visit(rp, '/login?prompt=none')
    const after = await result()
    assert.equal(after.error, 'login_required', `${rp.name}: ${JSON.stringify(after)}`)
    assert.equal(after.params.iss, ISSUER)
  }
  await context.addCookies(signedInCookies)
  await visit(confidential, '/login?prompt=none')
  assert.equal((await result()).error, 'login_required', 'a replayed session cookie signs nobody in')
  await visit(confidential, '/login')
  assert.ok(await loginPageShown(), `the login page again, at ${page.url()}`)
  await shot('login-after-logout')
})

test('logout never redirects to an unregistered post_logout_redirect_uri', async () => {
  await signIn(USER, PASSWORD)
  assert.equal((await result()).ok, true)
  const trap = encodeURIComponent(`http://127.0.0.1:${TRAP_PORT}/logged-out`)
  await visit(confidential, `/logout?post_logout_redirect_uri=${trap}`)
  if (onGatehouse() && await page.locator('button[type="submit"], input[type="submit"]').count() > 0) {
    await page.click('button[type="submit"], input[type="submit"]')
    await page.waitForLoadState('load')
  }
  assert.ok(onGatehouse(), `the browser left Gatehouse for ${page.url()}`)
  assert.deepEqual(trapHits, [])
})
