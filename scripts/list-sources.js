#!/usr/bin/env node
// Prints the .cpp files under the given folders, one per line, for binding.gyp: new files need no list edits.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function list(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return list(full);
    return entry.name.endsWith('.cpp') ? [full] : [];
  });
}

process.stdout.write(process.argv.slice(2).flatMap(list).sort().join('\n') + '\n');
