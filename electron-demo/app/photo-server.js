'use strict';
// Instructor photos over HTTP on 127.0.0.1: the "remote" web resource the desk shows, standing in for a school's
// photo service. The renderer caches what it fetched (Cache Storage), so photos still show while this is unreachable.
// Photos are drawn from the id (a coloured silhouette), so the demo needs no image files.
const http = require('node:http');
const { createHash } = require('node:crypto');

const ROUTE = /^\/instructors\/([A-Za-z0-9-]{1,64})\.svg$/;

function photoSvg(id) {
  const hue = createHash('sha256').update(id).digest()[0] * (360 / 256);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">
  <rect width="96" height="96" rx="48" fill="hsl(${hue.toFixed(0)} 55% 62%)"/>
  <circle cx="48" cy="38" r="17" fill="hsl(${hue.toFixed(0)} 40% 92%)"/>
  <path d="M16 84c4-18 18-26 32-26s28 8 32 26" fill="hsl(${hue.toFixed(0)} 40% 92%)"/>
</svg>
`;
}

/** Resolves to { url, requests(), close() } once listening on 127.0.0.1 and a free port. */
function startPhotoServer({ port = 0 } = {}) {
  let served = 0;
  const server = http.createServer((request, response) => {
    const match = request.method === 'GET' ? ROUTE.exec(request.url) : null;
    if (!match) {
      response.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end();
      return;
    }
    served += 1;
    response.writeHead(200, {
      'Content-Type': 'image/svg+xml', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-cache',
    }).end(photoSvg(match[1]));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests: () => served,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

module.exports = { startPhotoServer, photoSvg };
