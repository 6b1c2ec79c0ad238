// Builds the review app into static files for vigil serve: one bundled
// script (no inline script, so the server's strict CSP holds), the page and
// the style sheet, into ../data/web/ (where vigil serve looks by default).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.env.VIGIL_WEB_OUT || join(here, '..', 'data', 'web');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: false,
  target: ['chrome110', 'firefox110', 'safari16'],
  outfile: join(out, 'app.js'),
  legalComments: 'linked',
});
for (const f of ['index.html', 'app.css', 'cytoscape.css']) copyFileSync(join(here, 'src', f), join(out, f));
console.error(`web: built ${out}`);
