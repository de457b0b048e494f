// The manual conflict dialog. A table tracked 'manual' asks a person: the main side sends a 'question', this dialog
// shows both sides column by column and answers with desk.answerConflict(qid, { use: 'local' | 'remote' | 'merged' }).
// Questions queue up and are shown one at a time; 'question-closed' (answered in another window, or timed out)
// removes one.
import { h, byTestId, $ } from './dom.js';
import { rowLabel } from './conflicts-panel.js';
import { attempt, FAILED, toastError } from './toast.js';

// Columns the merged row sends as integers (money in cents, lesson length).
const isIntegerColumn = (col) => col.endsWith('_cents') || col === 'minutes';

function columnsOf(question) {
  const seen = new Set();
  for (const side of [question.local, question.remote]) {
    for (const key of Object.keys(side ?? {})) if (key !== 'id') seen.add(key);
  }
  for (const key of question.columns ?? []) if (key !== 'id') seen.add(key);
  return [...seen];
}

// `side` is null when deleted there. This device's side holds only the columns it changed: the rest are unchanged.
function valueCell(side, col, deletedText, partial = false) {
  if (!side) return h('td', { class: 'deleted', text: deletedText });
  if (partial && !(col in side)) return h('td', { class: 'null', text: 'unchanged' });
  const value = side[col];
  if (value == null) return h('td', { class: 'null', text: 'empty' });
  return h('td', { text: String(value) });
}

export function createConflictDialog(desk) {
  const dialog = byTestId('conflict-dialog');
  const what = $('.conflict-what', dialog);
  const hint = $('.conflict-hint', dialog);
  const body = $('.diff tbody', dialog);
  const queueNote = $('.conflict-queue', dialog);
  const buttons = ['keep-local', 'take-remote', 'save-merged'].map((id) => byTestId(id, dialog));
  const saveMerged = buttons[2];
  const queue = [];
  let current = null;

  function render(q) {
    const label = rowLabel(q.table, q.id, q.local, q.remote);
    what.replaceChildren(h('strong', { text: q.table }), ' · ', h('span', { text: label }));
    if (label !== String(q.id)) what.append(' ', h('code', { class: 'muted small', text: String(q.id) }));
    dialog.dataset.qid = q.qid;
    dialog.dataset.table = q.table;
    dialog.dataset.id = q.id;

    if (!q.local && !q.remote) hint.textContent = 'This row was deleted on this device and on the server.';
    else if (!q.local) hint.textContent = 'This row was deleted on this device and changed on the server.';
    else if (!q.remote) hint.textContent = 'This row was changed on this device and deleted on the server.';
    else {
      hint.textContent = 'Highlighted columns were changed here and on the server; the others keep whichever side '
        + 'changed them unless you edit them. Keep one side, or save the merged values.';
    }

    const disputed = new Set(q.columns ?? []);
    body.replaceChildren(...columnsOf(q).map((col) => {
      // Each column starts from the value the row will have if left alone: this device's where it changed the
      // column (every disputed one included), the server's elsewhere (a deleted side gives way).
      const source = q.local && col in q.local ? q.local : (q.remote ?? q.local);
      const value = source?.[col];
      const input = h('input', {
        'data-testid': `merged-${col}`, name: col, 'aria-label': `Merged ${col}`, autocomplete: 'off',
        inputmode: isIntegerColumn(col) ? 'numeric' : null,
      });
      // As the default value too: mergedRow() tells edited fields by it.
      input.defaultValue = value == null ? '' : String(value);
      return h('tr', { 'data-column': col, class: disputed.has(col) ? 'disputed' : null },
        h('th', { scope: 'row', text: col }),
        valueCell(q.local, col, 'deleted on this device', true),
        valueCell(q.remote, col, 'deleted on the server'),
        h('td', { class: 'merged' }, input));
    }));
    updateQueueNote();
  }

  function updateQueueNote() {
    queueNote.hidden = queue.length === 0;
    queueNote.textContent = queue.length === 1 ? '1 more conflict waiting.' : `${queue.length} more conflicts waiting.`;
  }

  function showNext() {
    if (current || queue.length === 0) return;
    current = queue.shift();
    render(current);
    enableButtons();
    if (!dialog.open) dialog.showModal();
  }

  // An empty merged row is an answer the engine cannot use (the question would fail with ERR_CONFLICT_HANDLER):
  // "Save merged" waits until there is a disputed column or an edit.
  function mergedIsEmpty() {
    const disputed = new Set(current?.columns ?? []);
    return ![...body.querySelectorAll('input[data-testid^="merged-"]')]
      .some((input) => disputed.has(input.name) || input.value !== input.defaultValue);
  }

  function updateSaveMerged() {
    saveMerged.disabled = !current || mergedIsEmpty();
    if (saveMerged.disabled) saveMerged.title = 'Edit a column first: the merged row would be empty.';
    else saveMerged.removeAttribute('title');
  }

  function enableButtons() {
    for (const button of buttons) button.disabled = false;
    updateSaveMerged();
  }

  function finish(qid) {
    if (!current || current.qid !== qid) return;
    current = null;
    dialog.close();
    delete dialog.dataset.qid;
    showNext();
  }

  // The merged row: the disputed columns, and any other column the person edited. Columns left out keep what the
  // engine gives them (the server's row, with this device's undisputed changes on top), so prefilled server values
  // never silently undo a change made only here. Integer columns become numbers, an emptied field null.
  function mergedRow() {
    const row = {};
    const disputed = new Set(current.columns ?? []);
    for (const input of body.querySelectorAll('input[data-testid^="merged-"]')) {
      const col = input.name;
      if (!disputed.has(col) && input.value === input.defaultValue) continue;
      const raw = input.value.trim();
      const wasNumber = typeof current.local?.[col] === 'number' || typeof current.remote?.[col] === 'number';
      if (raw === '') row[col] = null;
      else if (isIntegerColumn(col) || wasNumber) {
        const n = Number(raw);
        if (!Number.isFinite(n) || (isIntegerColumn(col) && !Number.isInteger(n))) {
          const error = new Error(`${col} must be ${isIntegerColumn(col) ? 'a whole number' : 'a number'}`);
          error.code = 'ERR_INVALID_ARG';
          throw error;
        }
        row[col] = n;
      } else row[col] = input.value;
    }
    if (Object.keys(row).length === 0) {
      const error = new Error('the merged row is empty: edit a column first, or keep one side');
      error.code = 'ERR_INVALID_ARG';
      throw error;
    }
    return row;
  }

  async function answer(build) {
    if (!current) return;
    const { qid } = current;
    let reply;
    try {
      reply = build();
    } catch (error) {
      toastError(error);
      return;
    }
    for (const button of buttons) button.disabled = true;
    const result = await attempt(() => desk.answerConflict(qid, reply));
    if (result === FAILED) {
      enableButtons();
      return;
    }
    finish(qid);
  }

  buttons[0].addEventListener('click', () => answer(() => ({ use: 'local' })));
  buttons[1].addEventListener('click', () => answer(() => ({ use: 'remote' })));
  saveMerged.addEventListener('click', () => answer(() => ({ use: 'merged', row: mergedRow() })));
  body.addEventListener('input', () => {
    if (!buttons[0].disabled) updateSaveMerged();  // not while an answer is on its way
  });
  // Escape must not drop a question that the sync engine is waiting on.
  dialog.addEventListener('cancel', (event) => event.preventDefault());

  return {
    ask(question) {
      if (!question || question.qid == null) return;
      const known = current?.qid === question.qid || queue.some((q) => q.qid === question.qid);
      if (known) return;
      queue.push(question);
      updateQueueNote();
      showNext();
    },
    closed(qid) {
      const index = queue.findIndex((q) => q.qid === qid);
      if (index >= 0) { queue.splice(index, 1); updateQueueNote(); }
      finish(qid);
    },
  };
}
