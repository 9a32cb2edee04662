// End-to-end: every method of @camunda8/sdk's ModelerApiClient against a running
// Gatehouse, configured only through the environment (run.sh sets it):
// CAMUNDA_OAUTH_URL, ZEEBE_CLIENT_ID, ZEEBE_CLIENT_SECRET, CAMUNDA_MODELER_BASE_URL,
// CAMUNDA_TOKEN_CACHE_DIR. The SDK sends no audience on Self-Managed and treats any
// 2xx other than 200/204 as an error, so every call below also checks the status.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Modeler } from '@camunda8/sdk'

const bpmn = (id) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs-${id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" isExecutable="true"><bpmn:startEvent id="start"/></bpmn:process>
</bpmn:definitions>`

// The SDK rejects with got's HTTPError (after its beforeError hook) or, for non-2xx
// answers it decodes itself, an Error whose code is the status.
const statusOf = (err) => err?.response?.statusCode ?? err?.statusCode ?? (typeof err?.code === 'number' ? err.code : undefined)
const is = (status) => (err) => {
  assert.equal(statusOf(err), status, `want ${status}, got ${statusOf(err)}: ${err?.message}`)
  return true
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

test('ModelerApiClient drives every Web Modeler API operation', async (t) => {
  for (const v of ['CAMUNDA_OAUTH_URL', 'ZEEBE_CLIENT_ID', 'ZEEBE_CLIENT_SECRET', 'CAMUNDA_MODELER_BASE_URL', 'CAMUNDA_TOKEN_CACHE_DIR']) {
    assert.ok(process.env[v], `${v} must be set`)
  }
  const modeler = new Modeler.ModelerApiClient()
  const clientId = process.env.ZEEBE_CLIENT_ID
  const ctx = {}

  await t.test('getInfo', async () => {
    const info = await modeler.getInfo()
    assert.equal(info.version, 'v1')
    assert.match(info.authorizedOrganization, uuid)
    assert.deepEqual([info.createPermission, info.readPermission, info.updatePermission, info.deletePermission], [true, true, true, true])
  })

  await t.test('projects: create, get, rename, search', async () => {
    const p = await modeler.createProject('SDK project')
    assert.match(p.id, uuid)
    assert.equal(p.name, 'SDK project')
    assert.equal(p.createdBy.name, clientId)
    ctx.project = p.id
    const got = await modeler.getProject(p.id)
    assert.equal(got.metadata.id, p.id)
    assert.deepEqual(got.content, { folders: [], files: [] })
    const renamed = await modeler.renameProject(p.id, 'SDK/project')
    assert.equal(renamed.name, 'SDK/project')
    const found = await modeler.searchProjects({ filter: { name: 'SDK/project' }, sort: [{ field: 'name', direction: 'ASC' }], page: 0, size: 10 })
    assert.equal(found.total, 1)
    assert.equal(found.items[0].id, p.id)
  })

  await t.test('collaborators: add, change, search, delete', async () => {
    assert.equal(await modeler.addCollaborator({ email: 'ann@example.com', projectId: ctx.project, role: 'editor' }), null)
    assert.equal(await modeler.addCollaborator({ email: 'ann@example.com', projectId: ctx.project, role: 'project_admin' }), null)
    const res = await modeler.searchCollaborators({ filter: { projectId: ctx.project } })
    assert.equal(res.total, 1)
    assert.equal(res.items[0].role, 'project_admin')
    assert.equal(await modeler.deleteCollaborator({ email: 'ann@example.com', projectId: ctx.project }), null)
    assert.equal((await modeler.searchCollaborators({ filter: { projectId: ctx.project } })).total, 0)
  })

  await t.test('folders: create, get, update', async () => {
    const f = await modeler.createFolder({ name: 'Folder/A', projectId: ctx.project })
    assert.equal(f.projectId, ctx.project)
    assert.equal(f.parentId, null)
    ctx.folder = f.id
    const sub = await modeler.createFolder({ name: 'Sub', parentId: f.id })
    assert.equal(sub.parentId, f.id)
    ctx.sub = sub.id
    const got = await modeler.getFolder(f.id)
    assert.equal(got.content.folders.length, 1)
    const up = await modeler.updateFolder(sub.id, { name: 'Sub2', projectId: ctx.project })
    assert.equal(up.name, 'Sub2')
    assert.equal(up.parentId, null)
  })

  await t.test('files: create, get, update, search', async () => {
    const f = await modeler.createFile({ name: 'order.bpmn', folderId: ctx.folder, content: bpmn('order'), fileType: 'bpmn' })
    assert.equal(f.revision, 1)
    assert.equal(f.simplePath, 'SDK\\/project/Folder\\/A/order.bpmn')
    assert.deepEqual(f.canonicalPath.map((e) => e.id), [ctx.project, ctx.folder])
    ctx.file = f.id
    const got = await modeler.getFile(f.id)
    assert.equal(got.content, bpmn('order'))
    const up = await modeler.updateFile(f.id, { revision: 1, name: 'order-v2.bpmn', content: bpmn('order2') })
    assert.equal(up.revision, 2)
    await assert.rejects(modeler.updateFile(f.id, { revision: 1, name: 'stale' }), is(409))
    const form = await modeler.createFile({ name: 'form', projectId: ctx.project, content: '{"components":[]}', fileType: 'form' })
    ctx.form = form.id
    const since = new Date(Date.now() - 3600_000).toISOString()
    const res = await modeler.searchFiles({
      filter: { projectId: ctx.project, type: 'bpmn', created: `>=${since}`, createdBy: { name: clientId } },
      sort: [{ field: 'name', direction: 'DESC' }], page: 0, size: 10,
    })
    assert.equal(res.total, 1)
    assert.equal(res.items[0].name, 'order-v2.bpmn')
    const byDay = await modeler.searchFiles({ filter: { created: `${new Date().toISOString()}||/d` }, size: 50 })
    assert.equal(byDay.total, 2)
    await assert.rejects(modeler.searchFiles({ filter: {}, sort: [{ field: 'name;DROP TABLE x', direction: 'ASC' }] }), is(400))
  })

  await t.test('milestones: create, get, search, compare, delete', async () => {
    const m1 = await modeler.createMilestone({ name: 'M1', fileId: ctx.file })
    assert.equal(m1.fileId, ctx.file)
    await modeler.updateFile(ctx.file, { revision: 2, content: bpmn('order3') })
    const m2 = await modeler.createMilestone({ name: 'M2', fileId: ctx.file })
    const got = await modeler.getMilestone(m1.id)
    assert.equal(got.content, bpmn('order2'))
    const res = await modeler.searchMilestones({ filter: { fileId: ctx.file }, sort: [{ field: 'created', direction: 'ASC' }] })
    assert.deepEqual(res.items.map((m) => m.name), ['M1', 'M2'])
    const cmp = JSON.parse(await modeler.getMilestoneComparison(m1.id, m2.id))
    assert.match(cmp.url, new RegExp(`${m1.id}\\.\\.\\.${m2.id}$`))
    assert.equal(await modeler.deleteMilestone(m2.id), null)
    ctx.milestone = m1.id
  })

  await t.test('versions: create, get, update, restore, search, compare, delete', async () => {
    const v = await modeler.createVersion({ fileId: ctx.file, description: 'auto-named' })
    assert.match(v.name, /^Version \d+$/)
    const got = await modeler.getVersion(v.id)
    assert.equal(got.content, bpmn('order3'))
    const up = await modeler.updateVersion(v.id, { name: 'v-named', organizationPublic: true })
    assert.equal(up.name, 'v-named')
    assert.equal(up.organizationPublic, true)
    const restored = await modeler.restoreVersion(ctx.milestone, { version: 1 })
    assert.equal(restored.fileId, ctx.file)
    const file = await modeler.getFile(ctx.file)
    assert.equal(file.content, bpmn('order2'))
    assert.equal(file.metadata.revision, 4)
    const res = await modeler.searchVersions({ filter: { fileId: ctx.file, organizationPublic: true } })
    assert.equal(res.total, 1)
    const cmp = await modeler.compareVersions(ctx.milestone, v.id)
    assert.match(cmp.url, /\/versions\/compare\//)
    assert.equal(await modeler.deleteVersion(v.id), null)
    await assert.rejects(modeler.getVersion(v.id), is(404))
  })

  await t.test('deletes: file (with its history), folder, project', async () => {
    await assert.rejects(modeler.deleteProject(ctx.project), is(409))
    assert.equal(await modeler.deleteFile(ctx.file), null)
    await assert.rejects(modeler.getMilestone(ctx.milestone), is(404))
    assert.equal(await modeler.deleteFile(ctx.form), null)
    assert.equal(await modeler.deleteFolder(ctx.sub), null)
    assert.equal(await modeler.deleteFolder(ctx.folder), null)
    assert.deepEqual(await modeler.deleteProject(ctx.project), {})
    await assert.rejects(modeler.getProject(ctx.project), is(404))
  })
})
