// oauth2-proxy, a widely deployed generic OpenID Connect relying party, in front of a
// test upstream, with Gatehouse as its provider: Debian's chromium (playwright-core) asks
// the proxy for a page, is sent to Gatehouse's login page, signs in and lands on the
// upstream, which sees who signed in. run.sh builds and starts Gatehouse, oauth2-proxy
// and the upstream, and sets the environment.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'

const env = (name) => {
  const v = process.env[name]
  assert.ok(v, `${name} must be set (run e2e/oauth2proxy/run.sh)`)
  return v
}
const IDENTITY = env('IDENTITY_URL')
const ISSUER = `${IDENTITY}/auth/realms/camunda-platform`
const PROXY = env('PROXY_URL')
const USER = env('OIDC_USER')
const PASSWORD = env('OIDC_PASSWORD')
const EMAIL = env('OIDC_EMAIL')
const CLIENT_ID = env('CLIENT_ID')
const SHOTS = process.env.SCREENSHOT_DIR

let context, page, profile

before(async () => {
  profile = await fs.mkdtemp(path.join(os.tmpdir(), 'gatehouse-oauth2proxy-'))
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
  await context?.close()
  if (profile) await fs.rm(profile, { recursive: true, force: true })
})

const shot = async (name) => {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })
}
const upstream = async () => JSON.parse(await page.locator('#result').textContent())
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString())

test('oauth2-proxy discovered Gatehouse and sends a browser to its authorization endpoint', async () => {
  const res = await fetch(`${PROXY}/oauth2/start?rd=%2F`, { redirect: 'manual' })
  assert.equal(res.status, 302)
  const to = new URL(res.headers.get('location'), PROXY)
  assert.equal(`${to.origin}${to.pathname}`, `${ISSUER}/protocol/openid-connect/auth`)
  assert.equal(to.searchParams.get('client_id'), CLIENT_ID)
  assert.equal(to.searchParams.get('response_type'), 'code')
  assert.equal(to.searchParams.get('code_challenge_method'), 'S256')
})

test('signing in through oauth2-proxy: Gatehouse login page, then the upstream sees the person', async () => {
  await page.goto(`${PROXY}/some/page?x=1`)
  assert.equal(new URL(page.url()).origin, new URL(IDENTITY).origin, `sent to Gatehouse, at ${page.url()}`)
  assert.ok(await page.locator('#kc-login').isVisible(), 'the login page')
  await shot('oauth2proxy-login')
  await page.fill('input[name="username"]', USER)
  await page.fill('input[name="password"]', PASSWORD)
  await Promise.all([page.waitForURL(`${PROXY}/**`, { waitUntil: 'load' }), page.click('#kc-login')])
  await shot('oauth2proxy-upstream')

  const seen = await upstream()
  assert.equal(seen.path, '/some/page?x=1', 'back on the page first asked for')
  const h = seen.headers
  assert.equal(h['x-forwarded-email'], EMAIL)
  assert.ok(h['x-forwarded-user'], 'X-Forwarded-User is set')
  assert.equal(h['x-forwarded-preferred-username'], USER)
  const at = claims(h['x-forwarded-access-token'])
  assert.equal(at.iss, ISSUER)
  assert.equal(at.preferred_username, USER)
  assert.ok(at.azp === CLIENT_ID || at.client_id === CLIENT_ID, 'the access token names oauth2-proxy\'s application')
})

test('the proxy session holds: a second page needs no sign-in', async () => {
  await page.goto(`${PROXY}/another`)
  assert.ok(page.url().startsWith(`${PROXY}/another`), `at ${page.url()}`)
  assert.equal((await upstream()).headers['x-forwarded-email'], EMAIL)
})

test('groups reach the upstream with --oidc-groups-claim=groups', { skip: 'groups arrive with part 2 (refresh tokens, roles and groups)' }, async () => {
  // run.sh starts oauth2-proxy with --oidc-groups-claim=groups and puts the user in the
  // group named by $OIDC_GROUP once users can be declared in groups.
  const group = env('OIDC_GROUP')
  await page.goto(`${PROXY}/groups`)
  const groups = ((await upstream()).headers['x-forwarded-groups'] ?? '').split(',')
  assert.ok(groups.includes(group), `X-Forwarded-Groups ${groups}`)
})
