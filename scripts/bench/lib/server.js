'use strict';
// Starting and stopping the reference server for a benchmark: the built binary on 127.0.0.1, port 0, a database
// file the caller names, stopped with SIGTERM (it finishes in-flight requests) and waited for.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const readline = require('node:readline');

// OFFLINE_SYNC_SERVER_BINARY runs another build (a baseline beside a change, say) under the same benchmark.
const SERVER_BINARY = process.env.OFFLINE_SYNC_SERVER_BINARY ||
  path.join(__dirname, '..', '..', '..', 'build', 'Release', 'offline-sync-server');

/**
 * Starts the server. tokens: ['TOKEN:TENANT', ...] (default one token 'bench' for tenant 'school').
 * Resolves to { url, child, stop() }; stop() resolves once the process has exited.
 */
async function startServer(dbFile, { tokens = ['bench:school'] } = {}) {
  const args = ['--host', '127.0.0.1', '--port', '0', '--db', dbFile];
  for (const token of tokens) args.push('--token', token);
  const child = spawn(SERVER_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', resolve);
    child.once('error', reject);
    exited.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  const url = line.replace('listening on ', '');
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU seconds a process has used so far (Linux /proc: user + system, in clock ticks of 1/100 s). */
function cpuSecondsOf(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set size of a process so far, in bytes (Linux /proc: VmHWM). */
function peakRssOf(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

module.exports = { SERVER_BINARY, startServer, cpuSecondsOf, peakRssOf };
