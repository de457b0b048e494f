// The sync bar: shows the SyncView the main side sends ('sync' events and the replies of setOnline/networkChanged),
// the progress of a running round, and the two controls (Sync now, the Online switch).
import { byTestId } from './dom.js';
import { clock, describeError } from './format.js';
import { attempt, FAILED } from './toast.js';

const LABELS = {
  offline: 'Offline',
  connecting: 'Connecting…',
  syncing: 'Syncing…',
  idle: 'Up to date',
  error: 'Error',
  stopped: 'Stopped',
  'switched-off': 'Offline (switched off)',
};

/** The state the bar shows: the user's offline switch wins over whatever the engine reports. */
export function displayState(view) {
  if (view && view.online === false) return 'switched-off';
  return view?.state ?? 'offline';
}

export function createSyncBar(desk) {
  const stateEl = byTestId('sync-state');
  const stateText = stateEl.querySelector('.sync-state-text');
  const errorEl = byTestId('sync-error');
  const pendingEl = byTestId('pending');
  const lastEl = byTestId('last-sync');
  const envEl = byTestId('sync-env');
  const progressEl = byTestId('progress');
  const progressLabel = byTestId('progress-label');
  const syncButton = byTestId('sync-now');
  const onlineSwitch = byTestId('online-switch');
  let current = null;

  function update(view) {
    if (!view) return;
    current = view;
    const state = displayState(view);
    stateEl.dataset.state = state;
    stateText.textContent = LABELS[state] ?? state;

    // The reason is shown whenever there is one, also while merely 'offline' (e.g. ERR_NETWORK).
    errorEl.hidden = !view.error;
    errorEl.textContent = view.error ? describeError(view.error) : '';

    const pending = view.pending;
    pendingEl.dataset.count = pending == null ? '' : String(pending);
    pendingEl.textContent = `${pending == null ? '–' : pending} pending`;
    pendingEl.classList.toggle('has-pending', Number(pending) > 0);

    lastEl.dataset.at = view.lastSyncAt ? String(view.lastSyncAt) : '';
    lastEl.textContent = clock(view.lastSyncAt);
    if (view.lastSyncAt) lastEl.title = new Date(Number(view.lastSyncAt)).toLocaleString();
    else lastEl.removeAttribute('title');

    const env = [];
    if (view.network === false) env.push('network down');
    if (view.onBattery) env.push('on battery');
    if (view.suspended) env.push('suspended');
    envEl.textContent = env.join(' · ');
    envEl.hidden = env.length === 0;

    // Don't fight the user's click while setOnline is still running.
    if (!onlineSwitch.disabled) onlineSwitch.checked = view.online !== false;

    // A round is over (or never started): no stale bar left behind.
    if (view.state !== 'syncing') hideProgress();
  }

  function progress(p) {
    if (!p) return;
    const total = Number(p.total) || 0;
    const done = Number(p.done) || 0;
    progressEl.setAttribute('max', String(total));
    progressEl.setAttribute('value', String(done));
    progressEl.dataset.phase = p.phase ?? '';
    progressEl.hidden = false;
    progressLabel.textContent = `${p.phase === 'pull' ? 'Pulling' : 'Pushing'} ${done} / ${total}`;
    progressLabel.hidden = false;
  }

  function hideProgress() {
    progressEl.hidden = true;
    progressLabel.hidden = true;
  }

  syncButton.addEventListener('click', async () => {
    syncButton.disabled = true;
    syncButton.setAttribute('aria-busy', 'true');
    try {
      await attempt(() => desk.syncNow());
    } finally {
      syncButton.disabled = false;
      syncButton.removeAttribute('aria-busy');
    }
  });

  onlineSwitch.addEventListener('change', async () => {
    const wanted = onlineSwitch.checked;
    onlineSwitch.disabled = true;
    const view = await attempt(() => desk.setOnline(wanted));
    onlineSwitch.disabled = false;
    if (view === FAILED) onlineSwitch.checked = current ? current.online !== false : !wanted;
    else update(view);
  });

  return { update, progress, get view() { return current; } };
}
