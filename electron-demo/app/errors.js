'use strict';
// Failures as plain data: what crosses IPC in desk.call's replies and what the sync view and 'error' events carry.

/** { code, message } for any thrown value; a value without a string code is ERR_INTERNAL. */
function plainError(error) {
  const code = typeof error?.code === 'string' ? error.code : 'ERR_INTERNAL';
  return { code, message: String(error?.message ?? error) };
}

module.exports = { plainError };
