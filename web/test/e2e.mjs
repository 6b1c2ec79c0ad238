// The review app end to end in a real browser (Debian's chromium, driven by
// playwright-core; no browser is downloaded): a fresh installation with the
// synthetic demo exports, one registered person whose portrait appears in a
// neutral folder of community photos, and `vigil serve` on port 0. A
// coordinator signs in, works the queue, reveals a blurred image, confirms a
// face candidate and sees the statistics change; an analyst sees case codes
// only. Screenshots go to $VIGIL_E2E_OUT (default: a temp folder), kept as
// test artefacts.
//
// Usage: node test/e2e.mjs VIGIL_BINARY TESTDATA_DIR
// Exit 0 when every check holds; 1 with the failed check on stderr; 77 (skip)
// when the shared face photos are missing.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strict as assert } from 'node:assert';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const [vigilArg, testdataArg] = process.argv.slice(2);
if (!vigilArg || !testdataArg) {
  console.error('usage: node test/e2e.mjs VIGIL_BINARY TESTDATA_DIR');
  process.exit(2);
}
const vigil = resolve(vigilArg);
const faces = join(resolve(testdataArg), 'faces');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const webDir = process.env.VIGIL_WEB_DIR || join(repo, 'data', 'web');
// Without the shared photos there is no face to confirm: skipped. Chromium
// and the built front end are what `make build` installs: missing, they fail.
if (!existsSync(join(faces, 'bbt_amy', 'amy1.png'))) {
  console.error(`e2e: skipped: the shared face photos are not at ${faces}`);
  process.exit(77);
}
for (const [what, path] of [['chromium (scripts/install-deps)', browserPath],
  ['the built front end (scripts/build-web)', join(webDir, 'index.html')]]) {
  if (!existsSync(path)) {
    console.error(`e2e: ${what} not found at ${path}`);
    process.exit(1);
  }
}

// The installation (keys, vault, the registry's photo) lives in a temp folder
// removed at the end; the screenshots stay, in $VIGIL_E2E_OUT or a folder of
// their own.
const work = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
const shots = process.env.VIGIL_E2E_OUT || mkdtempSync(join(tmpdir(), 'vigil-e2e-shots-'));
mkdirSync(shots, { recursive: true });
const env = { ...process.env, VIGIL_PASSPHRASE: 'e2e passphrase, not for real use', NO_COLOR: '1' };
const db = join(work, 'vigil.db');
const password = 'e2e password, not secret';

function run(args, input) {
  const r = spawnSync(args[0], args.slice(1), { env, input, encoding: 'utf8' });
  // vigil scan exits 3 when some item was reported and skipped; the demo
  // exports hold such items on purpose.
  if (r.status !== 0 && !(args[1] === 'scan' && r.status === 3)) {
    throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return r.stdout;
}

// --- the installation --------------------------------------------------------------
run(['python3', join(repo, 'demo', 'make_demo_data.py'), join(work, 'exports'), join(work, 'known')]);
// A post written to attack the page: markup in its text and channel name
// must reach the reviewer as text.
writeFileSync(join(work, 'exports', 'hostile.jsonl'), JSON.stringify({
  id: 'h1', channel: '<b id="injected-channel">Hostile</b>', time: 1410000000,
  text: '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script> girl for sale, price 2000 dollars',
}) + '\n');
// Neutral photos only: a folder of community portraits, apart from any text.
mkdirSync(join(work, 'exports', 'community-portraits'));
for (const f of ['bbt_amy/amy3.png', 'bbt_raj/raj1.png']) {
  copyFileSync(join(faces, f), join(work, 'exports', 'community-portraits', f.split('/')[1]));
}
mkdirSync(join(work, 'registry'));
copyFileSync(join(faces, 'bbt_amy', 'amy1.png'), join(work, 'registry', 'family-photo.png'));
writeFileSync(join(work, 'registry', 'registry.csv'),
  'case_code,names,sex,place,date,family_contact,photos\n' +
  'C-0777,E2E Person (synthetic),female,Test Village,2014-08-03,test contact,family-photo.png\n');
run([vigil, 'keys', 'init', '--db', db]);
run([vigil, 'registry', 'import', join(work, 'registry', 'registry.csv'), '--db', db]);
const knownPhotos = readdirSync(join(work, 'known')).filter((f) => f.endsWith('.jpg'))
  .map((f) => join(work, 'known', f));
const known = run([vigil, 'hash', ...knownPhotos]);
writeFileSync(join(work, 'known.csv'), 'signal_type,signal_str,collab,category,tags\n' +
  known.trim().split('\n').map((l) => `pdq,${l.split(',')[0]},e2e,,known_photo`).join('\n') + '\n');
run([vigil, 'lists', 'import', join(work, 'known.csv'), '--name', 'e2e-known', '--db', db]);
run([vigil, 'scan', join(work, 'exports'), '--db', db, '--evidence']);
for (const role of ['coordinator', 'analyst']) {
  run([vigil, 'user', 'add', `e2e-${role}`, '--role', role, '--password-stdin', '--db', db], `${password}\n`);
}

// --- the server ----------------------------------------------------------------------
const server = spawn(vigil, ['serve', '--listen', '127.0.0.1:0', '--db', db, '--web-dir', webDir],
  { env, stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
server.stderr.on('data', (d) => { serverLog += d; });
const url = await new Promise((ok, fail) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/^(http:\/\/127\.0\.0\.1:\d+)\n/);
    if (m) ok(m[1]);
  });
  server.on('exit', (code) => fail(new Error(`vigil serve exited ${code}: ${serverLog}`)));
  setTimeout(() => fail(new Error('vigil serve printed no URL in 30 s')), 30000);
});

let browser = null;
let failed = false;
const step = async (name, body) => {
  try {
    await body();
    console.error(`e2e: ok: ${name}`);
  } catch (e) {
    failed = true;
    console.error(`e2e: FAILED: ${name}: ${e.stack || e}`);
    throw e;
  }
};

// The strength of the blur a media element shows, in px (0: none).
const blurOf = (locator) => locator.evaluate((el) => {
  const m = getComputedStyle(el).filter.match(/blur\(([\d.]+)px\)/);
  return m ? Number(m[1]) : 0;
});
const grayOf = (locator) => locator.evaluate((el) => /grayscale\(1\)/.test(getComputedStyle(el).filter));

// Polls `fn` in the page until it returns true (10 s). page.waitForFunction
// would evaluate a string, which the app's CSP (no eval) rightly refuses.
async function until(page, fn, what = String(fn)) {
  for (let i = 0; i < 100; i++) {
    if (await page.evaluate(fn)) return;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Opens the queue and waits until it is on the page, so that no render is
// still on its way when a test changes a filter.
async function openQueue(page) {
  if (await page.evaluate(() => location.hash === '#/queue')) {  // no navigation, no render
    await page.waitForSelector('#f-reset');
    return;
  }
  await page.evaluate(() => document.querySelector('main')?.setAttribute('data-stale', '1'));
  await page.goto(`${url}/#/queue`);
  await page.waitForSelector('main:not([data-stale]) #f-reset');
}

// Runs `action` (a filter change) and waits until the page it asks for has
// replaced the one on screen (every page is a new <main>), with queue rows.
async function refilter(page, action) {
  await page.evaluate(() => document.querySelector('main')?.setAttribute('data-stale', '1'));
  await action();
  await page.waitForSelector('main:not([data-stale]) #queue tr.queue-item');
}

async function signIn(page, who) {
  await page.goto(url);
  await page.fill('#user', who);
  await page.fill('#password', password);
  await page.click('#signin');
  await page.waitForSelector('header');
}

try {
  browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // Refused requests (the 401s this test asks for) are not script errors;
  // CSP violations and exceptions are.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });

  await step('a wrong password is refused on the page', async () => {
    await page.goto(url);
    await page.fill('#user', 'e2e-coordinator');
    await page.fill('#password', 'not the password');
    await page.click('#signin');
    await page.waitForSelector('.login .error:not(:empty)');
    assert.equal(await page.locator('header').count(), 0);
  });

  let confirmedBefore;
  await step('the coordinator signs in and reads the statistics', async () => {
    await signIn(page, 'e2e-coordinator');
    await page.goto(`${url}/#/stats`);
    await page.waitForSelector('#confirmed-matches');
    confirmedBefore = Number(await page.textContent('#confirmed-matches'));
    assert.equal(confirmedBefore, 0);
    await page.waitForSelector('#chart-months');
    await page.screenshot({ path: join(shots, '1-stats-before.png'), fullPage: true });
  });

  await step('the queue lists flagged posts by score', async () => {
    await openQueue(page);
    await page.waitForSelector('#queue tr.queue-item');
    const scores = await page.locator('#queue tr.queue-item td:first-child').allTextContents();
    assert.ok(scores.length >= 5, `only ${scores.length} flagged posts`);
    const numbers = scores.map(Number);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => b - a));
    await page.screenshot({ path: join(shots, '2-queue.png'), fullPage: true });
  });

  await step('the queue filters by the language of a post and by day', async () => {
    await refilter(page, () => page.selectOption('#f-lang', 'kmr'));
    const texts = await page.locator('#queue tr.queue-item td:nth-child(4)').allTextContents();
    assert.ok(texts.length >= 1 && texts.every((x) => !/^For sale|^Two women/.test(x)), texts.join(' | '));
    await refilter(page, () => page.selectOption('#f-lang', ''));
    // The demo's first sale post is of 2014-08-21: a window of that day holds it alone.
    await refilter(page, () => page.fill('#f-since', '2014-08-21'));
    await refilter(page, () => page.fill('#f-until', '2014-08-21'));
    const times = await page.locator('#queue tr.queue-item td:nth-child(5)').allTextContents();
    assert.ok(times.length >= 1 && times.every((x) => x.startsWith('2014-08-21')), times.join(' | '));
    await refilter(page, () => page.click('#f-reset'));
    assert.equal(await page.locator('#queue tr.queue-item').count(), 17);
  });

  await step('keys: e escalates the selected post, and the escalations leave as a bundle that verifies', async () => {
    const first = await page.locator('#queue tr.queue-item').first().getAttribute('data-ref');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('e');
    await until(page, () => /escalate/.test(document.querySelector('#queue-status')?.textContent || ''));
    assert.equal(await page.locator(`#queue tr[data-ref="${first}"]`).count(), 0, 'the decided post stayed');
    await refilter(page, () => page.click('#f-reset'));
    assert.match(await page.textContent('#recent-decisions'), /e2e-coordinator: Escalate/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-escalated')]);
    const bundle = join(work, 'escalated.zip');
    await download.saveAs(bundle);
    assert.match(download.suggestedFilename(), /^vigil-escalated-\d+\.zip$/);
    run([vigil, 'verify', bundle]);
    await page.screenshot({ path: join(shots, '2b-queue-escalated.png'), fullPage: true });
  });

  await step('a post with a matched photo shows it blurred and grayscale until revealed', async () => {
    await refilter(page, () => page.check('#f-media_match'));
    await page.locator('#queue tr.queue-item').first().click();
    await page.waitForSelector('#post-text');
    const img = page.locator('img.sensitive').first();
    await img.waitFor();
    await until(page, () => {
      const i = document.querySelector('img.sensitive');
      return i && i.complete && i.naturalWidth > 0;
    });
    assert.ok(await blurOf(img) >= 4, 'the image is not blurred');
    assert.ok(await grayOf(img), 'the image is not grayscale');
    // What matched is shown beside the photo: a hash-list entry with its
    // distance, or the other posts of its repost cluster.
    const shown = await page.locator('.media table tr').count() + await page.locator('.reposts li').count();
    assert.ok(shown >= 1, 'neither its hash match nor its reposts are shown');
    await page.screenshot({ path: join(shots, '3-post-blurred.png'), fullPage: true });
    await page.locator('button.reveal').first().click();
    await until(page, () => !/blur/.test(getComputedStyle(document.querySelector('img.sensitive')).filter));
    await page.screenshot({ path: join(shots, '4-post-revealed.png'), fullPage: true });
    await page.locator('button.reveal').first().click();
    await until(page, () => /blur\((?:[4-9]|\d\d)/.test(getComputedStyle(document.querySelector('img.sensitive')).filter),
      'the image to blur again once hidden');
  });

  await step('a post\'s text shows its reasons highlighted and markup in it stays text', async () => {
    assert.ok(await page.locator('#post-text mark').count() >= 1, 'no reason highlighted');
    await openQueue(page);
    await refilter(page, () => page.click('#f-reset'));
    await refilter(page, async () => {
      await page.fill('#f-channel', '<b id="injected-channel">Hostile</b>');
      await page.locator('#f-channel').dispatchEvent('change');
    });
    assert.equal(await page.locator('#queue tr.queue-item').count(), 1);
    assert.match(await page.textContent('#queue'), /<b id="injected-channel">Hostile<\/b>/);
    await page.locator('#queue tr.queue-item').first().click();
    await page.waitForSelector('#post-text');
    assert.match(await page.textContent('#post-text'), /<img src=x onerror="window.__pwned=1"><script>/);
    assert.equal(await page.locator('#post-text img, #post-text script, #injected-channel').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await openQueue(page);
    await refilter(page, () => page.click('#f-reset'));
  });

  await step('the coordinator confirms a face candidate, which records a sighting', async () => {
    await openQueue(page);
    await page.waitForSelector('#f-face_candidate');
    await refilter(page, () => page.check('#f-all'));
    await refilter(page, () => page.check('#f-face_candidate'));
    await page.locator('#queue tr.queue-item').first().click();
    await page.waitForSelector('tr.candidate');
    assert.match(await page.textContent('tr.candidate'), /C-0777/);
    await page.click('button.confirm-match');
    await until(page, () => /C-0777/.test(document.querySelector('#post-status')?.textContent || ''));
    await page.screenshot({ path: join(shots, '5-face-confirmed.png'), fullPage: true });
  });

  await step('the statistics show the confirmed match', async () => {
    await page.goto(`${url}/#/stats`);
    await page.waitForSelector('#confirmed-matches');
    assert.equal(Number(await page.textContent('#confirmed-matches')), confirmedBefore + 1);
    await page.waitForSelector('#chart-changes');
    await page.screenshot({ path: join(shots, '6-stats-after.png'), fullPage: true });
  });

  await step('the person\'s page shows the name and the sighting', async () => {
    await page.goto(`${url}/#/person/C-0777`);
    await page.waitForSelector('#new-status');  // the person page's own, not any page's h2
    assert.match(await page.textContent('main'), /E2E Person \(synthetic\)/);
    assert.match(await page.textContent('main'), /community-portraits/);
  });

  await step('the seller network joins a handle to a phone and lists a node\'s posts', async () => {
    await page.goto(`${url}/#/network`);
    await page.waitForSelector('#network-graph canvas');
    await page.fill('#path-from', 'handle:@demo_seller_one');
    await page.fill('#path-to', 'phone:+9647512345678');
    await page.click('#find-path');
    await until(page, () => /→/.test(document.querySelector('#path-status')?.textContent || ''));
    const path = await page.textContent('#path-status');
    assert.match(path, /^@demo_seller_one → .+ → \+9647512345678$/);
    // Every node and edge of the path is highlighted in the graph.
    const lit = await page.evaluate(() => ({
      nodes: window.__vigilGraph?.nodes('.on-path').length,
      edges: window.__vigilGraph?.edges('.on-path').length,
    }));
    assert.deepEqual(lit, { nodes: 3, edges: 2 });
    await page.screenshot({ path: join(shots, '7-network-path.png'), fullPage: true });
    await page.goto(`${url}/#/network/${encodeURIComponent('phone:+9647512345678')}`);
    await page.waitForSelector('#node-detail li a');
    assert.equal(await page.locator('#node-detail li a').count(), 3);
    await page.locator('#node-detail li a').first().click();
    await page.waitForSelector('#post-text');
    // Whatever digits the post wrote it in (Arabic-Indic, local form), the
    // phone's canonical form is what joined it.
    assert.match(await page.textContent('main'), /phone: \+9647512345678/);
  });

  await step('an analyst sees case codes, never names', async () => {
    const analyst = await (await browser.newContext()).newPage();
    await signIn(analyst, 'e2e-analyst');
    await analyst.goto(`${url}/#/registry`);
    await analyst.waitForSelector('#persons');
    const text = await analyst.textContent('#persons');
    assert.match(text, /C-0777/);
    assert.doesNotMatch(text, /E2E Person/);
    assert.equal(await analyst.locator('#persons a').count(), 0);
    await analyst.screenshot({ path: join(shots, '8-analyst-registry.png'), fullPage: true });
  });

  await step('Arabic turns the page right to left', async () => {
    await openQueue(page);
    await page.waitForSelector('#language');
    await page.selectOption('#language', 'ar');
    await until(page, () => document.documentElement.dir === 'rtl');
    await page.screenshot({ path: join(shots, '9-queue-arabic.png'), fullPage: true });
    await page.selectOption('#language', 'en');
  });

  await step('no script errors on any page', async () => {
    assert.deepEqual(pageErrors, []);
  });
} catch (e) {
  if (!failed) console.error(`e2e: FAILED: ${e.stack || e}`);
  failed = true;
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  await new Promise((ok) => server.on('exit', ok));
  rmSync(work, { recursive: true, force: true });
}
console.error(`e2e: screenshots in ${shots}`);
if (failed) {
  console.error(`e2e: server log:\n${serverLog.split('\n').slice(-40).join('\n')}`);
  process.exit(1);
}
