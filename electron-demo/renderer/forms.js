// The five forms: students, instructors and vehicles save (insert, or update when an Edit loaded a row); lessons
// book, payments record. The lists refresh from the main side's 'data' event, not from here: one path for local and
// synced changes alike.
import { h, byTestId } from './dom.js';
import { parseEuros } from './format.js';
import { rowsByKind, onRowAction } from './records.js';
import { attempt, FAILED, toastError } from './toast.js';

const text = (form, name) => {
  const value = form.elements[name]?.value ?? '';
  return value.trim();
};
// Optional text: an emptied field clears the column (null), it does not leave the old value.
const optional = (form, name) => text(form, name) || null;

// What each editable form sends; `id` only when a row was loaded for editing.
const EDITABLE = {
  students: { testid: 'student-form', save: 'saveStudent', fields: ['name', 'phone', 'email'],
    read: (f) => ({ name: text(f, 'name'), phone: optional(f, 'phone'), email: optional(f, 'email') }) },
  instructors: { testid: 'instructor-form', save: 'saveInstructor', fields: ['name', 'license'],
    read: (f) => ({ name: text(f, 'name'), license: text(f, 'license') }) },
  vehicles: { testid: 'vehicle-form', save: 'saveVehicle', fields: ['plate', 'model', 'transmission'],
    read: (f) => ({ plate: text(f, 'plate'), model: text(f, 'model'), transmission: f.elements.transmission.value }) },
};

// The hidden id input is in "default" value mode: form.reset() would not clear it, so it is cleared by hand.
function resetForm(form) {
  form.reset();
  if (form.elements.id) form.elements.id.value = '';
  form.classList.remove('editing');
  const title = form.querySelector('h2[data-new]');
  if (title) title.textContent = title.dataset.new;
  const cancel = form.querySelector('[data-action=reset]');
  if (cancel) cancel.hidden = true;
}

function loadForEdit(form, fields, row) {
  resetForm(form);
  form.elements.id.value = row.id;
  for (const name of fields) form.elements[name].value = row[name] ?? '';
  form.classList.add('editing');
  const title = form.querySelector('h2[data-edit]');
  if (title) title.textContent = title.dataset.edit;
  form.querySelector('[data-action=reset]').hidden = false;
  form.elements[fields[0]].focus();
}

// Submit with the button disabled while the call runs, so a double click cannot insert twice.
function onSubmit(form, run) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    if (button.disabled) return;
    button.disabled = true;
    try {
      const result = await run();
      if (result !== FAILED) resetForm(form);
    } finally {
      button.disabled = false;
    }
  });
}

function bindEditable(desk, kind) {
  const spec = EDITABLE[kind];
  const form = byTestId(spec.testid);
  onSubmit(form, () => {
    const id = text(form, 'id');
    const record = spec.read(form);
    return attempt(() => desk[spec.save](id ? { id, ...record } : record));
  });
  form.querySelector('[data-action=reset]').addEventListener('click', () => resetForm(form));
  onRowAction(kind, (action, row) => {
    if (action === 'edit') loadForEdit(form, spec.fields, row);
  });
}

function bindLessonForm(desk) {
  const form = byTestId('lesson-form');
  onSubmit(form, () => {
    const minutes = text(form, 'minutes');
    const lesson = {
      student_id: form.elements.student_id.value,
      instructor_id: form.elements.instructor_id.value,
      starts_at: form.elements.starts_at.value,
      minutes: minutes === '' ? null : Number(minutes),
    };
    if (form.elements.vehicle_id.value) lesson.vehicle_id = form.elements.vehicle_id.value;
    return attempt(() => desk.bookLesson(lesson));
  });
}

function bindPaymentForm(desk) {
  const form = byTestId('payment-form');
  onSubmit(form, () => {
    const amount = parseEuros(form.elements.amount.value);
    if (amount == null || amount <= 0) {
      const error = new Error('enter the amount in euros, e.g. 45.50');
      error.code = 'ERR_INVALID_ARG';
      toastError(error);
      return FAILED;
    }
    return attempt(() => desk.recordPayment({
      student_id: form.elements.student_id.value,
      amount_cents: amount,
      method: form.elements.method.value,
    }));
  });
}

// Refills a <select> from a list, keeping the user's current choice when that row still exists. One option per row
// (value = id); only an optional select gets an extra "none" option, only an empty list a placeholder.
function fillSelect(select, rows, label, { optionalLabel, emptyLabel } = {}) {
  const chosen = select.value;
  const options = [];
  if (optionalLabel) options.push(h('option', { value: '', text: optionalLabel }));
  else if (rows.length === 0) options.push(h('option', { value: '', text: emptyLabel ?? 'None yet', disabled: true }));
  for (const row of rows) options.push(h('option', { value: row.id, text: row[label] ?? row.id }));
  select.replaceChildren(...options);
  const stillThere = chosen && rows.some((row) => String(row.id) === chosen);
  select.value = stillThere ? chosen : (optionalLabel || rows.length === 0 ? '' : String(rows[0].id));
}

/** Refreshes the lesson and payment selects after students, instructors or vehicles changed. */
export function refreshChoices() {
  const lessonForm = byTestId('lesson-form');
  const paymentForm = byTestId('payment-form');
  const students = rowsByKind.get('students');
  fillSelect(lessonForm.elements.student_id, students, 'name', { emptyLabel: 'No students yet' });
  fillSelect(lessonForm.elements.instructor_id, rowsByKind.get('instructors'), 'name',
    { emptyLabel: 'No instructors yet' });
  fillSelect(lessonForm.elements.vehicle_id, rowsByKind.get('vehicles'), 'plate', { optionalLabel: 'No vehicle' });
  fillSelect(paymentForm.elements.student_id, students, 'name', { emptyLabel: 'No students yet' });
}

export function bindForms(desk) {
  for (const kind of Object.keys(EDITABLE)) bindEditable(desk, kind);
  bindLessonForm(desk);
  bindPaymentForm(desk);
}
