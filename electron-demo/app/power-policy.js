'use strict';
// Follows the OS: Electron's powerMonitor pauses sync on suspend, resumes it on resume (the engine syncs at once on
// start), and switches the schedule on battery. Only listens: it never polls.

/** Wires `powerMonitor` (Electron's, or any EventEmitter with isOnBatteryPower()) to `desk`; returns the unwiring. */
function followPower(powerMonitor, desk) {
  const handlers = {
    suspend: () => desk.setSuspended(true),
    resume: () => desk.setSuspended(false),
    'on-battery': () => desk.setOnBattery(true),
    'on-ac': () => desk.setOnBattery(false),
  };
  for (const [event, handler] of Object.entries(handlers)) powerMonitor.on(event, handler);
  if (typeof powerMonitor.isOnBatteryPower === 'function') desk.setOnBattery(powerMonitor.isOnBatteryPower());
  return () => {
    for (const [event, handler] of Object.entries(handlers)) powerMonitor.removeListener(event, handler);
  };
}

module.exports = { followPower };
