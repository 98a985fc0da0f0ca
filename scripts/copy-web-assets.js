// Lays out what the server serves from dist/web/public: the SDK at /sdk/ and
// each page at /<page>/. `tsc -p tsconfig.web.json` compiles SDK and pages
// together into dist/web/tsc, keeping the source tree's shape; this script
// moves each part to its URL and copies the hand-written HTML, CSS and images.
// The pages import the SDK by its URL, /sdk/webtics.js, which the `paths`
// entry in tsconfig.web.json maps to the SDK's source for type checking.
import { cpSync, rmSync } from 'node:fs';

const compiled = 'dist/web/tsc';
const publicDir = 'dist/web/public';
const pages = ['play'];

rmSync(publicDir, { recursive: true, force: true });

cpSync(`${compiled}/sdk/web/src`, `${publicDir}/sdk`, { recursive: true });

for (const page of pages) {
  cpSync(`${compiled}/web/${page}`, `${publicDir}/${page}`, {
    recursive: true,
    filter: (source) => !source.endsWith('.d.ts'),
  });
  cpSync(`web/${page}`, `${publicDir}/${page}`, {
    recursive: true,
    filter: (source) => !source.endsWith('.ts') && !source.endsWith('tsconfig.json'),
  });
}
