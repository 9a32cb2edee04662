// Browser tests of the Gatehouse web console (run.sh starts everything and sets the
// environment): sign in, create an application, read its secret once, use it for a
// token, grant and revoke a permission and see the token change, rotate the secret,
// delete the application, and watch a cluster component turn unhealthy. Screenshots of
// each main page go to $SCREENSHOT_DIR.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'

const env = (name) => {
  const v = process.env[name]
  assert.ok(v, `${name} must be set (run e2e/ui/run.sh)`)
  return v
}
const CONSOLE = env('CONSOLE_URL')
const IDENTITY = env('IDENTITY_URL')
const USER = env('UI_USER')
const PASSWORD = env('UI_PASSWORD')
const FAKE = env('FAKE_URL')
const SHOTS = env('SCREENSHOT_DIR')
const TOKEN_URL = `${IDENTITY}/auth/realms/camunda-platform/protocol/openid-connect/token`

let context, page, profile
const problems = [] // CSP violations, page errors, dialogs (an XSS would open one)

before(async () => {
  profile = await fs.mkdtemp(path.join(os.tmpdir(), 'gatehouse-ui-'))
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 860 },
  })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: CONSOLE })
  page = context.pages()[0] ?? await context.newPage()
  page.setDefaultTimeout(15_000)
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('dialog', async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss() })
})

after(async () => {
  await context?.close()
  if (profile) await fs.rm(profile, { recursive: true, force: true })
})

const shot = async (name, p = page) => {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true })
}

// token asks the realm's token endpoint for a token with client_secret_post.
async function token (clientId, secret) {
  const res = await fetch(TOKEN_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  })
  const body = await res.json()
  return { status: res.status, body }
}

const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString())

async function permissionsOf (clientId, secret) {
  const { status, body } = await token(clientId, secret)
  assert.equal(status, 200, `token request: ${JSON.stringify(body)}`)
  return claims(body.access_token).permissions
}

const app = { name: 'Payments worker <script>alert("xss")</script>' }

test('signing in is refused with a wrong password and works by keyboard', async () => {
  await page.goto(`${CONSOLE}/`)
  assert.match(page.url(), /\/signin/)
  await shot('signin')
  await page.getByLabel('Username').fill(USER)
  await page.getByLabel('Password').fill('wrong-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('alert').filter({ hasText: 'username or password is wrong' }).waitFor()
  await shot('signin-error')

  // Keyboard only: the username field has focus after the page loads. (Chromium
  // applies autofocus at a rendering step after "load": wait for it, or the first
  // keystrokes go nowhere on a busy machine.)
  await page.goto(`${CONSOLE}/signin`)
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'username', null, { timeout: 5000 })
  await page.keyboard.type(USER)
  await page.keyboard.press('Tab')
  await page.keyboard.type(PASSWORD)
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/applications$/)
  await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor()
  const cookies = await context.cookies(CONSOLE)
  const session = cookies.find((c) => c.name === 'gatehouse_console')
  assert.ok(session, 'session cookie set')
  assert.equal(session.httpOnly, true)
  assert.equal(session.sameSite, 'Lax')
  await shot('applications')
})

test('create an application and read its secret exactly once', async () => {
  await page.getByRole('link', { name: 'New application' }).click()
  await page.getByLabel('Name').fill(app.name)
  await page.locator('input[value="web-modeler-public-api:read:*"]').check()
  await shot('application-new')
  await page.getByRole('button', { name: 'Create application' }).click()
  await page.waitForURL(/\/applications\/[0-9a-f-]+\/credentials$/)
  app.id = page.url().split('/').at(-2)
  app.clientId = (await page.locator('#cred-client-id').textContent()).trim()
  app.secret = (await page.locator('#cred-secret').textContent()).trim()
  assert.match(app.clientId, /^[A-Za-z0-9]{32}$/)
  assert.match(app.secret, /^gh_cs_/)
  // The name is shown as text, never run.
  await page.getByRole('heading', { name: `${app.name} is ready` }).waitFor()

  const envSaaS = await page.locator('#snippet-env-saas').textContent()
  assert.ok(envSaaS.includes(`CAMUNDA_CONSOLE_CLIENT_ID=${app.clientId}`))
  assert.ok(envSaaS.includes(`CAMUNDA_CONSOLE_CLIENT_SECRET=${app.secret}`))
  assert.match(envSaaS, /CAMUNDA_OAUTH_URL=http:\/\/localhost:\d+\/oauth\/token/)
  assert.ok(envSaaS.includes('CAMUNDA_CONSOLE_OAUTH_AUDIENCE=api.cloud.camunda.io'))
  const envSM = await page.locator('#snippet-env-sm').textContent()
  assert.ok(envSM.includes(`ZEEBE_CLIENT_ID=${app.clientId}`))
  assert.ok(envSM.includes(`ZEEBE_CLIENT_SECRET=${app.secret}`))
  assert.match(envSM, /\/auth\/realms\/camunda-platform\/protocol\/openid-connect\/token/)
  const curl = await page.locator('#snippet-curl-saas').textContent()
  assert.ok(curl.includes(`client_secret=${app.secret}`) && curl.includes('grant_type=client_credentials'))

  // The copy button puts the secret on the clipboard.
  const copy = page.getByRole('button', { name: 'Copy client secret' })
  await copy.click()
  await page.getByRole('button', { name: 'Copied client secret' }).waitFor()
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), app.secret)
  await shot('application-credentials')

  // Never in the URL or a cookie.
  assert.ok(!page.url().includes(app.secret))
  for (const c of await context.cookies()) assert.ok(!c.value.includes(app.secret), `cookie ${c.name} holds the secret`)

  // Reload: gone for good.
  await page.reload()
  await page.locator('#secret-gone').waitFor()
  assert.ok(!(await page.content()).includes(app.secret), 'the secret is still in the page after a reload')
  await shot('application-credentials-gone')
  // Back to the application: the secret is not there either.
  await page.goto(`${CONSOLE}/applications/${app.id}`)
  assert.ok(!(await page.content()).includes(app.secret))
})

test('the secret gets a token at once', async () => {
  const perms = await permissionsOf(app.clientId, app.secret)
  assert.deepEqual(perms, { 'web-modeler-public-api': ['read:*'] })
  // The SaaS-style endpoint and audience from the environment variables work too.
  const res = await fetch(`${IDENTITY}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', audience: 'api.cloud.camunda.io', client_id: app.clientId, client_secret: app.secret }),
  })
  assert.equal(res.status, 200, await res.clone().text())
})

test('grant and revoke a permission and see the token change', async () => {
  await page.goto(`${CONSOLE}/applications/${app.id}`)
  await page.locator('input[value="web-modeler-public-api:create:*"]').check()
  await page.getByRole('button', { name: 'Save permissions' }).click()
  await page.getByRole('status').filter({ hasText: 'Permissions saved' }).waitFor()
  assert.ok(await page.locator('input[value="web-modeler-public-api:create:*"]').isChecked())
  await shot('application-detail')
  let perms = await permissionsOf(app.clientId, app.secret)
  assert.deepEqual(perms['web-modeler-public-api'], ['create:*', 'read:*'])

  await page.locator('input[value="web-modeler-public-api:create:*"]').uncheck()
  await page.getByRole('button', { name: 'Save permissions' }).click()
  await page.getByRole('status').filter({ hasText: 'Permissions saved' }).waitFor()
  perms = await permissionsOf(app.clientId, app.secret)
  assert.deepEqual(perms, { 'web-modeler-public-api': ['read:*'] })
})

test('rotate the secret: the new one works, the old one stops', async () => {
  await page.goto(`${CONSOLE}/applications/${app.id}`)
  await page.getByLabel('Keep the current secret working for').selectOption('0s')
  await page.getByRole('button', { name: 'Rotate secret' }).click()
  await page.waitForURL(/\/credentials$/)
  const fresh = (await page.locator('#cred-secret').textContent()).trim()
  assert.notEqual(fresh, app.secret)
  await page.getByRole('heading', { name: /^New secret of/ }).waitFor()
  assert.equal((await token(app.clientId, app.secret)).status, 401)
  assert.equal((await token(app.clientId, fresh)).status, 200)
  app.secret = fresh
  await page.reload()
  await page.locator('#secret-gone').waitFor()
})

test('delete the application after confirming', async () => {
  await page.goto(`${CONSOLE}/applications/${app.id}`)
  await page.getByRole('link', { name: 'Delete application…' }).click()
  await page.getByRole('heading', { name: /^Delete the application/ }).waitFor()
  await shot('application-delete-confirm')
  await page.getByRole('button', { name: 'Delete application' }).click()
  await page.waitForURL(/\/applications$/)
  await page.getByRole('status').filter({ hasText: 'deleted' }).waitFor()
  assert.equal((await token(app.clientId, app.secret)).status, 401)
  assert.equal(await page.locator(`a[href="/applications/${app.id}"]`).count(), 0)
})

test('a cluster page shows a component turning unhealthy by itself', async () => {
  await page.goto(`${CONSOLE}/clusters`)
  const operate = page.locator('[data-health-app="operate"]').first()
  await operate.filter({ hasText: /^healthy$/ }).waitFor({ timeout: 20_000 })
  await shot('clusters')
  const r = await fetch(`${FAKE}/control/operate/unhealthy`, { method: 'POST' })
  assert.equal(r.status, 200)
  // No reload: the page refreshes health by itself.
  await operate.filter({ hasText: /^unhealthy$/ }).waitFor({ timeout: 30_000 })
  await page.locator('.cluster .head .status').filter({ hasText: /^unhealthy$/ }).waitFor()
  await shot('clusters-unhealthy')
  await fetch(`${FAKE}/control/operate/healthy`, { method: 'POST' })
  await operate.filter({ hasText: /^healthy$/ }).waitFor({ timeout: 30_000 })

  await page.getByRole('link', { name: 'e2e-cluster' }).click()
  await page.getByLabel('Period').selectOption('7d')
  await page.getByRole('button', { name: 'Show usage' }).click()
  await page.locator('#metric-pi').filter({ hasText: '42' }).waitFor()
  assert.equal((await page.locator('#metric-tu').textContent()).trim(), '2')
  await shot('cluster-detail')
})

test('the other pages render', async () => {
  for (const [url, heading, name] of [
    ['/apis', 'APIs', 'apis'],
    ['/users', 'Users', 'users'],
    ['/audit', 'Audit log', 'audit'],
    ['/keys', 'Signing keys', 'keys'],
  ]) {
    await page.goto(CONSOLE + url)
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor()
    await shot(name)
  }
  await page.goto(`${CONSOLE}/apis`)
  await page.getByRole('link', { name: 'Web Modeler API', exact: true }).click()
  await page.getByRole('heading', { name: 'Web Modeler API', level: 1 }).waitFor()
  await shot('api-detail')

  // The audit log recorded the changes with the user as actor.
  await page.goto(`${CONSOLE}/audit?action=app.&actor=${USER}`)
  for (const action of ['app.create', 'app.permissions.add', 'app.permissions.remove', 'app.rotate-secret', 'app.delete']) {
    assert.ok(await page.locator('td code', { hasText: new RegExp(`^${action.replace('.', '\\.')}$`) }).count() > 0, `audit has ${action}`)
  }
  assert.ok(!(await page.content()).includes(app.secret), 'the audit page holds a secret')

  // Keys: rotate.
  await page.goto(`${CONSOLE}/keys`)
  const before = await page.locator('.state-active').count()
  assert.equal(before, 1)
  await page.getByRole('button', { name: 'Rotate signing key' }).click()
  await page.getByRole('status').filter({ hasText: 'Signing key rotated' }).waitFor()
  assert.equal(await page.locator('.state-retired').count() >= 1, true)
  await shot('keys-rotated')
})

test('narrow screens get a usable layout', async () => {
  const narrow = await context.newPage()
  await narrow.setViewportSize({ width: 390, height: 844 })
  await narrow.goto(`${CONSOLE}/applications`)
  await narrow.getByRole('link', { name: 'New application' }).waitFor()
  const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`)
  await shot('narrow-applications', narrow)
  await narrow.goto(`${CONSOLE}/clusters`)
  await shot('narrow-clusters', narrow)
  await narrow.close()
})

test('sign-out ends the session on the server', async () => {
  const cookie = (await context.cookies(CONSOLE)).find((c) => c.name === 'gatehouse_console')
  await page.goto(`${CONSOLE}/applications`)
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(/\/signin$/)
  await page.goto(`${CONSOLE}/applications`)
  assert.match(page.url(), /\/signin/)
  // The old cookie value is worthless even if someone kept it.
  const res = await fetch(`${CONSOLE}/applications`, { headers: { Cookie: `gatehouse_console=${cookie.value}` }, redirect: 'manual' })
  assert.equal(res.status, 303)
  assert.match(res.headers.get('location'), /^\/signin/)
})

test('no CSP violation, script error or dialog happened', () => {
  assert.deepEqual(problems, [])
})
