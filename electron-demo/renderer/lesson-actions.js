// Row actions of a booked lesson: move (a small dialog asks for the new start), complete, cancel. No confirm()
// prompts: they block the window and an automated run would dismiss them.
import { byTestId } from './dom.js';
import { onRowAction } from './records.js';
import { attempt, FAILED } from './toast.js';

export function bindLessonActions(desk) {
  const dialog = byTestId('move-dialog');
  const input = dialog.querySelector('input[name=starts_at]');
  const what = dialog.querySelector('.move-what');
  const save = byTestId('move-save');
  let lessonId = null;

  function openMove(row) {
    lessonId = row.id;
    what.textContent = [row.student_name, row.instructor_name, row.starts_at].filter(Boolean).join(' · ');
    input.value = row.starts_at ?? '';
    dialog.showModal();
    input.focus();
  }

  save.addEventListener('click', async () => {
    if (lessonId == null || save.disabled) return;
    save.disabled = true;
    const result = await attempt(() => desk.moveLesson(lessonId, input.value));
    save.disabled = false;
    if (result !== FAILED) dialog.close();
  });
  // Enter in the time field moves, like the button (the form is method=dialog, which would just close it).
  dialog.querySelector('form').addEventListener('submit', (event) => {
    event.preventDefault();
    save.click();
  });
  dialog.querySelector('[data-action=close]').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => { lessonId = null; });

  onRowAction('lessons', async (action, row, button) => {
    if (action === 'move') { openMove(row); return; }
    if (action !== 'complete' && action !== 'cancel') return;
    button.disabled = true;
    const call = action === 'complete' ? () => desk.completeLesson(row.id) : () => desk.cancelLesson(row.id);
    await attempt(call);
    // On success the list re-renders from the 'data' event; the button may already be gone.
    if (button.isConnected) button.disabled = false;
  });
}
