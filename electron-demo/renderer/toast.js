// One toast for failed actions. A single reused element (not a stack) keeps `[data-testid=toast]` unique and the
// message the latest one.
import { byTestId } from './dom.js';
import { describeError } from './format.js';

const SHOW_MS = 5000;
let timer = null;

/** Shows "<code>: <message>" for a rejected desk call (or any Error), hidden again after a few seconds. */
export function toastError(error) {
  showToast(describeError(error), 'error');
}

export function showToast(text, kind = 'error') {
  const el = byTestId('toast');
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = false;
  // A manual popover sits in the top layer, so the toast shows above an open modal dialog too; re-showing it
  // puts it above a dialog opened since.
  if (el.showPopover) {
    if (el.matches(':popover-open')) el.hidePopover();
    el.showPopover();
  }
  clearTimeout(timer);
  timer = setTimeout(() => {
    el.hidden = true;
    if (el.hidePopover && el.matches(':popover-open')) el.hidePopover();
  }, SHOW_MS);
}

/** What `attempt` resolves to when the call failed (and the toast already told the user). */
export const FAILED = Symbol('failed');

/** Runs a desk call; a failure becomes a toast and resolves to FAILED, so handlers need no try/catch. */
export async function attempt(fn) {
  try {
    return await fn();
  } catch (error) {
    toastError(error);
    return FAILED;
  }
}
