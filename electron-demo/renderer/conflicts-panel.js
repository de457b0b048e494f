// The conflicts panel: every conflict the sync settled (by policy or by a person), newest first, e.g.
// "students · Lea Schmidt · phone — merged (manual)". The time is shown through CSS from `data-time`, so the item's
// text stays exactly that sentence.
import { h, byTestId } from './dom.js';
import { clock } from './format.js';

const MAX_ITEMS = 200;

/** The row's human name: name, plate or lesson time from either side, else its id. */
export function rowLabel(table, id, local, remote) {
  for (const side of [local, remote]) {
    if (!side) continue;
    for (const key of ['name', 'plate', 'starts_at']) {
      if (side[key] != null && side[key] !== '') return String(side[key]);
    }
  }
  return String(id ?? '');
}

export function describeConflict(c) {
  const columns = Array.isArray(c.columns) && c.columns.length ? c.columns.join(', ') : 'row';
  return `${c.table} · ${rowLabel(c.table, c.id, c.local, c.remote)} · ${columns} — ${c.resolution} (${c.policy})`;
}

export function createConflictsPanel() {
  const list = byTestId('conflicts');
  const empty = byTestId('conflicts-empty');

  function item(c) {
    const at = Number(c.at);
    return h('li', {
      'data-table': c.table, 'data-id': c.id, 'data-resolution': c.resolution, 'data-policy': c.policy,
      class: `resolution-${c.resolution}`, 'data-time': Number.isFinite(at) && at > 0 ? clock(at) : null,
      title: Number.isFinite(at) && at > 0 ? new Date(at).toLocaleString() : null,
      text: describeConflict(c),
    });
  }

  function sync() {
    while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
    empty.hidden = list.children.length > 0;
  }

  return {
    /** The snapshot's conflicts, in any order: shown newest first. */
    reset(conflicts) {
      const sorted = [...(conflicts ?? [])].sort((a, b) => (Number(b.at) || 0) - (Number(a.at) || 0));
      list.replaceChildren(...sorted.map(item));
      sync();
    },
    /** A conflict settled just now goes on top. */
    add(conflict) {
      list.prepend(item(conflict));
      sync();
    },
  };
}
