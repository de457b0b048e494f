// Boot: one snapshot renders everything, then events keep it current. The page talks only to `window.desk` (see
// electron-demo/app/desk-api.js); it never polls: lists re-load when a 'data' event names their table.
import { byTestId } from './dom.js';
import { describeError } from './format.js';
import { KINDS, renderList } from './records.js';
import { bindForms, refreshChoices } from './forms.js';
import { bindLessonActions } from './lesson-actions.js';
import { createSyncBar } from './sync-bar.js';
import { createConflictsPanel } from './conflicts-panel.js';
import { createConflictDialog } from './conflict-dialog.js';
import { toastError } from './toast.js';

const desk = window.desk;

// Lessons and payments show student/instructor/vehicle names, so they follow those tables.
const DEPENDENTS = {
  students: ['lessons', 'payments'],
  instructors: ['lessons'],
  vehicles: ['lessons'],
};
const CHOICE_SOURCES = new Set(['students', 'instructors', 'vehicles']);
// Engine errors shown as a toast: a conflict answer the engine could not use, a question nobody answered in time.
// They fail one row, not the round, so the sync bar does not show them; round failures (ERR_NETWORK, ERR_AUTH, ...)
// it does, from the sync view.
const TOASTED_ERRORS = new Set(['ERR_CONFLICT_HANDLER', 'ERR_CONFLICT_TIMEOUT']);

function bindTabs() {
  const tabs = [...document.querySelectorAll('[role=tab][data-tab]')];
  const select = (name) => {
    for (const tab of tabs) {
      const on = tab.dataset.tab === name;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      document.querySelector(`[data-panel="${tab.dataset.tab}"]`).hidden = !on;
    }
  };
  for (const tab of tabs) tab.addEventListener('click', () => select(tab.dataset.tab));
  // Arrow keys move between tabs, as a tablist should.
  document.querySelector('[role=tablist]').addEventListener('keydown', (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const index = tabs.findIndex((tab) => tab.getAttribute('aria-selected') === 'true');
    const next = tabs[(index + step + tabs.length) % tabs.length];
    select(next.dataset.tab);
    next.focus();
  });
  select('lessons');
}

/**
 * Re-lists tables on demand. Requests arriving together are batched into one pass; a table already loading is
 * loaded once more afterwards (its rows may have changed meanwhile) instead of racing two replies.
 */
function createRefresher(photoBase) {
  const wanted = new Set();
  const loading = new Set();
  let scheduled = false;

  async function load(kind) {
    loading.add(kind);
    try {
      renderList(kind, await desk.list(kind), { photoBase });
      if (CHOICE_SOURCES.has(kind)) refreshChoices();
    } catch (error) {
      toastError(error);
    } finally {
      loading.delete(kind);
      if (wanted.has(kind)) flush();
    }
  }

  function flush() {
    scheduled = false;
    for (const kind of [...wanted]) {
      if (loading.has(kind)) continue;
      wanted.delete(kind);
      load(kind);
    }
  }

  return function refresh(tables) {
    for (const table of tables) {
      if (!KINDS.includes(table)) continue;
      wanted.add(table);
      for (const dependent of DEPENDENTS[table] ?? []) wanted.add(dependent);
    }
    if (!scheduled && wanted.size) {
      scheduled = true;
      queueMicrotask(flush);
    }
  };
}

function showHeader(snap) {
  byTestId('device').dataset.deviceId = snap.deviceId ?? '';
  document.getElementById('device-name').textContent = snap.deviceName || 'This device';
  document.getElementById('device-id').textContent = snap.deviceId ?? '';
}

function bootFailed(error) {
  const el = byTestId('boot-error');
  el.textContent = `The desk could not start. ${describeError(error)}`;
  el.hidden = false;
}

async function boot() {
  if (!desk) throw Object.assign(new Error('window.desk is missing (no preload?)'), { code: 'ERR_NO_DESK' });
  bindTabs();
  const syncBar = createSyncBar(desk);
  const conflicts = createConflictsPanel();
  const dialog = createConflictDialog(desk);
  bindForms(desk);
  bindLessonActions(desk);

  // Subscribe before the snapshot so no question is missed in between; everything else the snapshot and the first
  // full load below already cover.
  const early = [];
  let handle = (event) => early.push(event);
  desk.onEvent((event) => handle(event));

  const snap = await desk.snapshot();
  showHeader(snap);
  syncBar.update(snap.sync);
  conflicts.reset(snap.conflicts);
  for (const question of snap.questions ?? []) dialog.ask(question);

  const refresh = createRefresher(snap.photoBase ?? null);
  handle = (event) => {
    switch (event?.type) {
      case 'sync': syncBar.update(event.sync); break;
      case 'progress': syncBar.progress(event.progress); break;
      case 'conflict': conflicts.add(event.conflict); break;
      case 'question': dialog.ask(event.question); break;
      case 'question-closed': dialog.closed(event.qid); break;
      case 'data': refresh(event.tables ?? []); break;
      case 'error': if (TOASTED_ERRORS.has(event.error?.code)) toastError(event.error); break;
      default: break;
    }
  };
  // Of the events from before the snapshot only questions matter (ask() ignores a qid it already has; a closed one
  // is dropped). An early 'sync' could be older than the snapshot, an early conflict already in it.
  for (const event of early) if (event?.type === 'question' || event?.type === 'question-closed') handle(event);

  refresh(KINDS);

  // The browser knows about the network first; the main side decides what to do with it.
  const reportNetwork = () => desk.networkChanged(navigator.onLine).then(syncBar.update, toastError);
  window.addEventListener('online', reportNetwork);
  window.addEventListener('offline', reportNetwork);
  reportNetwork();
  document.body.dataset.ready = 'true';
}

boot().catch(bootFailed);
