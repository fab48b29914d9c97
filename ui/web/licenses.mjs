// Writes ../assets/THIRD_PARTY_LICENSES.txt: the license of every npm
// package bundled into app.js (the bundle is minified without comments).
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const out = ['Third-party software bundled into app.js by `make ui` (from ui/web/package-lock.json).\n'];
for (const [path, pkg] of Object.entries(lock.packages).sort()) {
  if (!path.startsWith('node_modules/') || pkg.dev) continue;
  const dir = path;
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  const name = path.slice('node_modules/'.length);
  out.push(`\n==== ${name} ${pkg.version} (${pkg.license || 'see below'})\n`);
  out.push(file && existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim() + '\n' : '(no license file in the package)\n');
}
writeFileSync('../assets/THIRD_PARTY_LICENSES.txt', out.join(''));
