'use strict';
// The offline-sync package. An app installs it (electron-demo/package.json depends on it as file:..); inside this
// repository the UI tests run the desk without electron-demo's own install, so they load the package from the root.
function load() {
  try {
    return require('offline-sync');
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    return require('../../lib');
  }
}

module.exports = load();
