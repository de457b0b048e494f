'use strict';
// The Electron demo's renderer (electron-demo/renderer) in headless Chromium, on the real main-side desk under Node
// with the reference server: what a person sees while working offline, syncing, with a second device, a manual
// conflict and a failing server. Screenshots go to docs/ when UPDATE_SCREENSHOTS=1 (npm run screenshots).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { tempDir } = require('./helpers');
const { startSyncServer, serverRows, waitUntil } = require('./40-sync-fixtures');
const { launchBrowser, serveFolder, openDesk, openWindow, startFailingProxy, tableRows } = require('./50-desk-support');

const DEADLINE_MS = 15000;
const DOCS = path.join(__dirname, '..', '..', 'docs');

const stateIs = (page, state) =>
  page.waitForSelector(`[data-testid=sync-state][data-state="${state}"]`, { timeout: DEADLINE_MS });
const pendingIs = (page, count) =>
  page.waitForSelector(`[data-testid=pending][data-count="${count}"]`, { timeout: DEADLINE_MS });
const shownPending = async (page) => Number(await page.getAttribute('[data-testid=pending]', 'data-count'));
const row = (page, kind, text) => page.locator(`[data-testid=list-${kind}] tr[data-id]`, { hasText: text });

/** Saves `page`'s screenshot as docs/`name` when asked to (the PNG is checked either way). */
async function screenshot(locatorOrPage, name) {
  const png = await locatorOrPage.screenshot();
  assert.ok(png.length > 10000 && png.subarray(1, 4).toString() === 'PNG', `${name} is a real PNG`);
  if (process.env.UPDATE_SCREENSHOTS === '1') fs.writeFileSync(path.join(DOCS, name), png);
}

async function addStudent(page, name, phone) {
  await page.click('[data-testid=tab-students]');
  await page.fill('[data-testid=student-form] [name=name]', name);
  await page.fill('[data-testid=student-form] [name=phone]', phone);
  await page.click('[data-testid=student-save]');
  await row(page, 'students', name).waitFor({ timeout: DEADLINE_MS });
}

async function setup(t, { online = true } = {}) {
  const tmp = tempDir(t);
  const [browser, origin, server] = await Promise.all([launchBrowser(t), serveFolder(t), startSyncServer(t, tmp)]);
  const office = openDesk(tmp, 'office', server.url, { online });
  await office.start();
  return { tmp, browser, origin, server, office };
}

test('records created and edited offline show at once, and the pending count grows with them', async (t) => {
  const { browser, origin, server, office } = await setup(t, { online: false });
  const { page, problems } = await openWindow(t, browser, office, origin);
  await stateIs(page, 'switched-off');
  await pendingIs(page, 0);

  await addStudent(page, 'Lea Schmidt', '+49 152 000002');
  await pendingIs(page, 1);
  await row(page, 'students', 'Lea Schmidt').locator('[data-action=edit]').click();
  await page.fill('[data-testid=student-form] [name=phone]', '+49 152 999999');
  await page.click('[data-testid=student-save]');
  await page.locator('[data-testid=list-students] td[data-col=phone]', { hasText: '+49 152 999999' })
    .waitFor({ timeout: DEADLINE_MS });
  await pendingIs(page, 1);  // the edit folds into the insert that has not left yet

  await page.click('[data-testid=tab-instructors]');
  await page.fill('[data-testid=instructor-form] [name=name]', 'Maria Keller');
  await page.fill('[data-testid=instructor-form] [name=license]', 'BE');
  await page.click('[data-testid=instructor-save]');
  await row(page, 'instructors', 'Maria Keller').waitFor({ timeout: DEADLINE_MS });
  await pendingIs(page, 2);

  await page.click('[data-testid=tab-lessons]');
  await page.waitForSelector('[data-testid=lesson-form] [name=student_id] option:has-text("Lea Schmidt")',
    { state: 'attached', timeout: DEADLINE_MS });
  await page.selectOption('[data-testid=lesson-form] [name=student_id]', { label: 'Lea Schmidt' });
  await page.selectOption('[data-testid=lesson-form] [name=instructor_id]', { label: 'Maria Keller' });
  await page.fill('[data-testid=lesson-form] [name=starts_at]', '2026-12-02T09:00');
  await page.click('[data-testid=lesson-book]');
  await row(page, 'lessons', 'Lea Schmidt').waitFor({ timeout: DEADLINE_MS });
  await pendingIs(page, 3);

  await page.click('[data-testid=tab-payments]');
  await page.selectOption('[data-testid=payment-form] [name=student_id]', { label: 'Lea Schmidt' });
  await page.fill('[data-testid=payment-form] [name=amount]', '45.50');
  await page.click('[data-testid=payment-save]');
  await row(page, 'payments', 'Lea Schmidt').waitFor({ timeout: DEADLINE_MS });
  await pendingIs(page, 4);

  assert.equal(office.db.pendingChanges(), 4);
  assert.equal(office.db.get('SELECT amount_cents FROM payments').amount_cents, 4550);
  assert.equal((await serverRows(server.url)).rows.length, 0, 'nothing left the device');
  assert.equal(await page.getAttribute('[data-testid=last-sync]', 'data-at'), '');
  assert.deepEqual(problems, []);
});

test('switching online shows push and pull progress, then "up to date" with nothing pending', async (t) => {
  const { browser, origin, server, office } = await setup(t, { online: false });
  // A day's import: 1,200 lessons, so the push takes three batches.
  const insert = office.db.prepare(`INSERT INTO lessons (id, student_id, instructor_id, starts_at, minutes)
                                    VALUES (?, 's-1', 'i-1', ?, 60)`);
  office.db.transaction(() => {
    for (let i = 0; i < 1200; i += 1) {
      insert.run([`lesson-${i}`, `2026-12-${String(1 + (i % 28)).padStart(2, '0')}T08:00`]);
    }
  });
  const { page, problems } = await openWindow(t, browser, office, origin);
  await pendingIs(page, 1200);
  // Record every look of the progress bar: it may be shown and hidden between two polls of a test.
  await page.evaluate(() => {
    const bar = document.querySelector('[data-testid=progress]');
    window.progressSeen = [];
    new MutationObserver(() => {
      if (!bar.hidden) window.progressSeen.push({ phase: bar.dataset.phase, value: bar.value, max: bar.max });
    }).observe(bar, { attributes: true });
  });

  await page.check('[data-testid=online-switch]');
  await stateIs(page, 'idle');
  await pendingIs(page, 0);
  const seen = await page.evaluate(() => window.progressSeen);
  assert.ok(seen.some((p) => p.phase === 'push' && p.max === 1200), JSON.stringify(seen.slice(0, 5)));
  assert.ok(seen.some((p) => p.phase === 'push' && p.value === 1200));
  assert.equal(await page.isHidden('[data-testid=progress]'), true, 'the bar goes away when the round ends');
  assert.equal(await page.textContent('[data-testid=sync-state]'), 'Up to date');
  assert.ok(Number(await page.getAttribute('[data-testid=last-sync]', 'data-at')) > Date.now() - 60000);
  assert.equal((await serverRows(server.url)).rows.length, 1200);
  assert.deepEqual(problems, []);
});

test("a second device's change appears in every open window without a reload", async (t) => {
  const { tmp, browser, origin, server, office } = await setup(t);
  const laptop = openDesk(tmp, 'laptop', server.url, { sync: { live: false } });
  const first = await openWindow(t, browser, office, origin);
  const second = await openWindow(t, browser, office, origin);  // two windows, one desk
  await stateIs(first.page, 'idle');
  for (const { page } of [first, second]) {
    await page.click('[data-testid=tab-instructors]');
    await page.evaluate(() => { window.loadedOnce = true; });
  }

  const saved = await laptop.call('saveInstructor', [{ name: 'Tom Brandt', license: 'B' }]);
  assert.equal(saved.ok, true);
  await laptop.call('syncNow', []);
  for (const { page } of [first, second]) {
    await row(page, 'instructors', 'Tom Brandt').waitFor({ timeout: DEADLINE_MS });
    assert.equal(await page.evaluate(() => window.loadedOnce), true, 'the page was not reloaded');
  }

  // A write in one window shows in the other at once: both are the same desk.
  await first.page.click('[data-testid=tab-students]');
  await second.page.click('[data-testid=tab-students]');
  await addStudent(first.page, 'Sofia Rossi', '+49 170 000004');
  await row(second.page, 'students', 'Sofia Rossi').waitFor({ timeout: DEADLINE_MS });
  assert.deepEqual([...first.problems, ...second.problems], []);
});

test('a manual conflict is settled in the dialog and both devices end identical', async (t) => {
  const { tmp, browser, origin, server, office } = await setup(t);
  const laptop = openDesk(tmp, 'laptop', server.url, { sync: { live: false } });
  const { page, problems } = await openWindow(t, browser, office, origin);
  await addStudent(page, 'Lea Schmidt', '+49 152 000002');
  await stateIs(page, 'idle');
  await pendingIs(page, 0);
  await laptop.call('syncNow', []);
  const [lea] = tableRows(laptop, 'students');
  assert.equal(lea.name, 'Lea Schmidt');

  // The office edits Lea's phone offline; meanwhile the laptop changes it too and syncs first.
  await page.uncheck('[data-testid=online-switch]');
  await stateIs(page, 'switched-off');
  await row(page, 'students', 'Lea Schmidt').locator('[data-action=edit]').click();
  await page.fill('[data-testid=student-form] [name=phone]', '+49 152 111111');
  await page.fill('[data-testid=student-form] [name=email]', 'lea@example.org');
  await page.click('[data-testid=student-save]');
  await pendingIs(page, 1);
  assert.equal((await laptop.call('saveStudent', [{ ...lea, phone: '+49 152 222222' }])).ok, true);
  assert.equal((await laptop.call('syncNow', [])).ok, true);

  await page.check('[data-testid=online-switch]');
  const dialog = page.locator('[data-testid=conflict-dialog]');
  await dialog.waitFor({ state: 'visible', timeout: DEADLINE_MS });
  const shown = await dialog.textContent();
  assert.match(shown, /\+49 152 111111/);
  assert.match(shown, /\+49 152 222222/);
  assert.equal(await page.inputValue('[data-testid=merged-phone]'), '+49 152 111111');
  await screenshot(page, 'desk-conflict.png');

  await page.fill('[data-testid=merged-phone]', '+49 152 333333');
  await page.click('[data-testid=save-merged]');
  await dialog.waitFor({ state: 'hidden', timeout: DEADLINE_MS });
  await page.waitForSelector('[data-testid=conflicts] li[data-table=students][data-resolution=merged]',
    { timeout: DEADLINE_MS });
  await waitUntil(() => office.db.pendingChanges() === 0 && office.call('snapshot', [])
    .then((reply) => reply.value.sync.state === 'idle'), 'the office to push the merged row');
  await stateIs(page, 'idle');
  assert.equal((await laptop.call('syncNow', [])).ok, true);

  const officeStudents = tableRows(office, 'students');
  assert.deepEqual(tableRows(laptop, 'students'), officeStudents);
  assert.equal(officeStudents[0].phone, '+49 152 333333');
  assert.equal(officeStudents[0].email, 'lea@example.org', "the office's undisputed column is kept");
  assert.deepEqual(problems, []);
});

test('a failing server is shown with its reason, and the desk recovers when it is back', async (t) => {
  const { tmp, browser, origin, server } = await setup(t, { online: false });
  const proxy = await startFailingProxy(t, server.url);
  // A retry far off: the state stays 'error' (a retry would clear the reason while 'syncing') until "Sync now", which
  // then alone proves the recovery.
  const office = openDesk(tmp, 'office-behind-proxy', proxy.url,
    { sync: { live: false, retry: { initialDelay: 60000, maxDelay: 60000 } } });
  await office.start();
  const { page, problems } = await openWindow(t, browser, office, origin);
  await stateIs(page, 'idle');

  proxy.fail(500, 'the disk is full');
  await addStudent(page, 'Mehmet Yilmaz', '+49 160 000003');
  await stateIs(page, 'error');
  const reason = await page.textContent('[data-testid=sync-error]');
  assert.match(reason, /ERR_SERVER/);
  assert.match(reason, /the disk is full/);
  assert.equal(await shownPending(page), 1, 'the change waits, it is not lost');

  proxy.heal();
  await page.click('[data-testid=sync-now]');
  await stateIs(page, 'idle');
  await pendingIs(page, 0);
  assert.equal(await page.isHidden('[data-testid=sync-error]'), true);
  assert.equal((await serverRows(server.url)).rows.length, 1);
  assert.deepEqual(problems, []);
});

test('errors the sync bar cannot show are toasts, and an empty merged row cannot be saved', async (t) => {
  const { browser, origin, office } = await setup(t, { online: false });
  const { page, problems } = await openWindow(t, browser, office, origin);
  await page.waitForSelector('body[data-ready=true]', { timeout: DEADLINE_MS });
  // Desk events as the main side sends them (the engine's own are hard to provoke on cue).
  const deliver = (event) => page.evaluate((payload) => window.__deskDeliver(payload), event);
  const toast = '[data-testid=toast]';

  await deliver({ type: 'error', error: { code: 'ERR_NETWORK', message: 'connection refused' } });
  assert.equal(await page.isHidden(toast), true, 'a round failure is the sync bar\'s to show');
  await deliver({ type: 'error', error: { code: 'ERR_CONFLICT_TIMEOUT', message: 'nobody answered in time' } });
  assert.equal(await page.textContent(toast), 'ERR_CONFLICT_TIMEOUT: nobody answered in time');
  await deliver({ type: 'error', error: { code: 'ERR_CONFLICT_HANDLER', message: 'the answer could not be used' } });
  assert.equal(await page.textContent(toast), 'ERR_CONFLICT_HANDLER: the answer could not be used');

  // Deleted here, changed on the server: no disputed column, so the merged row is empty until something is edited.
  const remote = { id: 'st-1', name: 'Lea Schmidt', phone: '+49 152 000002', email: null };
  await deliver({ type: 'question',
    question: { qid: 'q-empty', table: 'students', id: 'st-1', columns: [], local: null, remote, policy: 'manual' } });
  const dialog = page.locator('[data-testid=conflict-dialog]');
  await dialog.waitFor({ timeout: DEADLINE_MS });
  assert.equal(await page.isDisabled('[data-testid=save-merged]'), true);
  assert.equal(await page.isEnabled('[data-testid=keep-local]'), true);
  await page.fill('[data-testid=merged-phone]', '+49 152 333333');
  assert.equal(await page.isEnabled('[data-testid=save-merged]'), true);
  await page.fill('[data-testid=merged-phone]', '+49 152 000002');
  assert.equal(await page.isDisabled('[data-testid=save-merged]'), true, 'an edit undone leaves nothing to merge');
  await deliver({ type: 'question-closed', qid: 'q-empty' });
  await dialog.waitFor({ state: 'hidden', timeout: DEADLINE_MS });
  assert.deepEqual(problems, []);
});

test('re-seeding (a deleted profile folder) writes the same sample school, not a second one', async (t) => {
  const tmp = tempDir(t);
  const server = await startSyncServer(t, tmp);
  const office = openDesk(tmp, 'office', server.url, { seed: true, sync: { live: false } });
  assert.equal((await office.call('syncNow', [])).ok, true);
  const school = (await serverRows(server.url)).rows.length;
  assert.ok(school > 0);
  assert.deepEqual(tableRows(office, 'instructors').map((i) => i.id), ['seed-instructor-1', 'seed-instructor-2']);

  const reseeded = openDesk(tmp, 'office-new-folder', server.url, { seed: true, sync: { live: false } });
  assert.equal(reseeded.db.pendingChanges(), school, 'the new folder seeded before its first sync');
  assert.equal((await reseeded.call('syncNow', [])).ok, true);
  assert.equal((await serverRows(server.url)).rows.length, school);
  assert.equal((await reseeded.call('insertWithId', ['students', 'x', { name: 'X' }])).error.code, 'ERR_INVALID_ARG',
    'windows cannot pick ids');
});

test('the network going down pauses sync, and coming back syncs what was written meanwhile', async (t) => {
  const { browser, origin, server, office } = await setup(t);
  const { page, problems } = await openWindow(t, browser, office, origin);
  await stateIs(page, 'idle');

  await page.context().setOffline(true);  // the renderer's 'offline' event tells the desk
  await stateIs(page, 'offline');
  assert.match(await page.textContent('[data-testid=sync-error]'), /ERR_NETWORK_DOWN/);
  assert.match(await page.textContent('[data-testid=sync-env]'), /network down/);
  await addStudent(page, 'Written without network', '+49 1');
  await pendingIs(page, 1);
  assert.equal((await serverRows(server.url)).rows.length, 0);

  await page.context().setOffline(false);
  await stateIs(page, 'idle');
  await pendingIs(page, 0);
  assert.equal((await serverRows(server.url)).rows.length, 1);
  assert.deepEqual(problems, []);
});

test('instructor photos are cached and still show when their server is gone; main screen screenshot', async (t) => {
  const { tmp, browser, origin, server } = await setup(t, { online: false });
  const { startPhotoServer } = require('../../electron-demo/app/photo-server');
  const photos = await startPhotoServer();
  t.after(() => photos.close());
  const office = openDesk(tmp, 'office-with-photos', server.url, { photoBase: photos.url, seed: true });
  await office.start();
  const { page, problems } = await openWindow(t, browser, office, origin);
  await stateIs(page, 'idle');
  await screenshot(page, 'desk-main.png');

  await page.click('[data-testid=tab-instructors]');
  const [maria] = tableRows(office, 'instructors').filter((i) => i.name === 'Maria Keller');
  const photo = `[data-testid="photo-${maria.id}"]`;
  await page.waitForSelector(`${photo}[data-source=network]`, { timeout: DEADLINE_MS });
  const fetched = photos.requests();
  assert.ok(fetched >= 2, "both instructors' photos were fetched");

  await photos.close();
  await page.reload();
  await page.click('[data-testid=tab-instructors]');
  await page.waitForSelector(`${photo}[data-source=cache]`, { timeout: DEADLINE_MS });
  assert.ok(await page.$eval(photo, (img) => img.complete && img.naturalWidth > 0), 'the cached photo renders');
  assert.deepEqual(problems, []);
});
