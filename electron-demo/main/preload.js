'use strict';
// Gives the page `window.desk`: the functions of desk-api.js over IPC to the app's one desk in the main process.
// contextBridge copies plain data and functions only, so no native object ever reaches the page.
const { contextBridge, ipcRenderer } = require('electron');
const { METHODS, makeDeskApi } = require('../app/desk-api');

contextBridge.exposeInMainWorld('desk', makeDeskApi(
  METHODS,
  (method, args) => ipcRenderer.invoke('desk:call', method, args),
  (callback) => {
    const listener = (_event, payload) => callback(payload);
    ipcRenderer.on('desk:event', listener);
    return () => ipcRenderer.removeListener('desk:event', listener);
  },
));
