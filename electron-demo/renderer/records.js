// The five lists. Each is a <table data-testid="list-<kind>">: one `tr[data-id]` per row, one `td[data-col]` per
// column holding the value (money and timestamps formatted; the raw value stays in `data-value`). Row buttons carry
// `data-action` and are handled by whoever renders the list (forms.js: edit; lesson-actions.js: move/complete/cancel).
import { h, byTestId } from './dom.js';
import { money, dateTime, initials, hue } from './format.js';
import { photoFor } from './photo-cache.js';

export const KINDS = ['lessons', 'students', 'instructors', 'vehicles', 'payments'];

// [column, header, format?, class?]. Wall-clock lesson times stay as typed ("2026-12-02T10:00"): that is the value.
const COLUMNS = {
  students: [['name', 'Name'], ['phone', 'Phone'], ['email', 'Email'], ['balance_cents', 'Balance', money, 'num']],
  instructors: [['name', 'Name'], ['license', 'License']],
  vehicles: [['plate', 'Plate'], ['model', 'Model'], ['transmission', 'Transmission']],
  lessons: [['starts_at', 'Starts at', null, 'nowrap'], ['student_name', 'Student'], ['instructor_name', 'Instructor'],
    ['vehicle_plate', 'Vehicle', null, 'nowrap'], ['minutes', 'Min', null, 'num'], ['status', 'Status'],
    ['notes', 'Notes', null, 'notes']],
  payments: [['paid_at', 'Paid at', dateTime, 'nowrap'], ['student_name', 'Student'],
    ['amount_cents', 'Amount', money, 'num'], ['method', 'Method']],
};

const EMPTY = {
  students: 'No students yet. Add the first one above.',
  instructors: 'No instructors yet.',
  vehicles: 'No vehicles yet.',
  lessons: 'No lessons booked yet.',
  payments: 'No payments recorded yet.',
};

/** The rows each list shows now, by kind and id: the forms read them (edit, select options). */
export const rowsByKind = new Map(KINDS.map((kind) => [kind, []]));
export const findRow = (kind, id) => rowsByKind.get(kind).find((row) => String(row.id) === String(id));

// Object URLs of the instructor photos on screen, revoked when the list re-renders; `generation` drops photos that
// arrive after their list was replaced.
let photoUrls = [];
let generation = 0;

function cell(kind, [col, , format, cls], row) {
  const value = row[col];
  const td = h('td', { 'data-col': col, class: cls, 'data-value': value == null ? '' : value });
  if (kind === 'lessons' && col === 'status') {
    td.append(h('span', { class: `pill status-${value}`, text: value ?? '' }));
  } else if (value == null || value === '') {
    td.classList.add('blank');
  } else {
    td.textContent = format ? format(value) : String(value);
  }
  if (col.endsWith('_cents') && Number(value) < 0) td.classList.add('negative');
  return td;
}

function actionsFor(kind, row) {
  const td = h('td', { class: 'actions' });
  if (kind === 'students' || kind === 'instructors' || kind === 'vehicles') {
    td.append(h('button', { type: 'button', class: 'btn small', 'data-action': 'edit', text: 'Edit' }));
  } else if (kind === 'lessons' && row.status === 'booked') {
    td.append(
      h('button', { type: 'button', class: 'btn small', 'data-action': 'move', text: 'Move' }),
      h('button', { type: 'button', class: 'btn small', 'data-action': 'complete', text: 'Complete' }),
      h('button', { type: 'button', class: 'btn small danger', 'data-action': 'cancel', text: 'Cancel' }),
    );
  }
  return td;
}

// The placeholder doubles as the loading state: initials in a circle until (or instead of) the photo.
function avatar(row, source) {
  return h('span', {
    class: `avatar hue-${hue(row.id)}`, 'data-testid': `photo-${row.id}`, 'data-source': source,
    role: 'img', 'aria-label': row.name ?? '', text: initials(row.name),
  });
}

function photoCell(row, photoBase, gen) {
  const td = h('td', { class: 'photo' });
  const placeholder = avatar(row, photoBase ? 'loading' : 'none');
  td.append(placeholder);
  if (!photoBase) return td;
  photoFor(photoBase, row.id).then(({ url, source }) => {
    if (gen !== generation) { if (url) URL.revokeObjectURL(url); return; }
    if (!url) { placeholder.dataset.source = 'none'; return; }
    photoUrls.push(url);
    const img = h('img', { src: url, alt: row.name ?? '', 'data-testid': `photo-${row.id}`, 'data-source': source,
      width: 32, height: 32, class: 'avatar-img' });
    img.addEventListener('error', () => img.replaceWith(avatar(row, 'none')), { once: true });
    placeholder.replaceWith(img);
  });
  return td;
}

/** Re-renders one list from `rows` (as desk.list(kind) returned them). */
export function renderList(kind, rows, { photoBase } = {}) {
  rows = Array.isArray(rows) ? rows : [];
  rowsByKind.set(kind, rows);
  const table = byTestId(`list-${kind}`);
  const columns = COLUMNS[kind];
  const withPhoto = kind === 'instructors';
  if (withPhoto) {
    generation += 1;
    for (const url of photoUrls) URL.revokeObjectURL(url);
    photoUrls = [];
  }

  const head = h('thead', {}, h('tr', {},
    withPhoto ? h('th', { class: 'photo', 'aria-label': 'Photo' }) : null,
    columns.map(([col, label, , cls]) => h('th', { 'data-col': col, class: cls, scope: 'col', text: label })),
    h('th', { class: 'actions', 'aria-label': 'Actions' })));
  const rowClass = (row) => (row.status ? `is-${row.status}` : null);
  const body = h('tbody', {}, rows.map((row) => h('tr', { 'data-id': row.id, class: rowClass(row) },
    withPhoto ? photoCell(row, photoBase, generation) : null,
    columns.map((column) => cell(kind, column, row)),
    actionsFor(kind, row))));
  table.replaceChildren(head, body);

  // The empty state sits after the table rather than as a fake row, so every tbody row is a record.
  let empty = table.parentElement.querySelector('.empty');
  if (!empty) {
    empty = h('p', { class: 'empty', 'data-testid': `empty-${kind}` });
    table.after(empty);
  }
  empty.textContent = EMPTY[kind];
  empty.hidden = rows.length > 0;
  const tab = document.querySelector(`[data-tab="${kind}"]`);
  if (tab) tab.dataset.count = String(rows.length);
}

/** Calls `handler(action, row, button)` for clicks on a row's `[data-action]` buttons in the list of `kind`. */
export function onRowAction(kind, handler) {
  byTestId(`list-${kind}`).addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    const tr = button?.closest('tr[data-id]');
    if (!tr) return;
    const row = findRow(kind, tr.dataset.id);
    if (row) handler(button.dataset.action, row, button);
  });
}
