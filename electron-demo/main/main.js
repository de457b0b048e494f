'use strict';
// Electron's entry point (electron-demo/package.json "main"): the desk app with its configuration from the
// environment (see config.js).
const electron = require('electron');
const { runDeskApp } = require('./desk-app');
const { deskConfig } = require('./config');

const { app } = electron;
const config = deskConfig(process.env, app.getPath('userData'));
// A second desk on the same machine gets its own Chromium profile too (two instances cannot share one).
if (config.profile !== 'office') app.setPath('userData', `${app.getPath('userData')}-${config.profile}`);

runDeskApp(electron, config).catch((error) => {
  electron.dialog.showErrorBox('Driving School Desk could not start', `${error.code ?? ''} ${error.message}`);
  app.exit(1);
});
