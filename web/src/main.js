// vigil's review app: sign-in, the review queue, a post, the registry,
// statistics, the audit log and accounts, as hash routes (#/queue,
// #/post/REF, ...) over the JSON API. Every piece of data is put in the page
// as text (dom.js), never as HTML.
import { Chart, BarController, BarElement, CategoryScale, Colors, LinearScale, Legend, Tooltip } from 'chart.js';
import cytoscape from 'cytoscape';
import { api, ApiError } from './api.js';
import { h, highlighted, time } from './dom.js';
import { t, languages, currentLanguage, setLanguage, applyLanguage } from './i18n.js';

// Colors: one colour per dataset (without it every bar of a stack is grey).
Chart.register(BarController, BarElement, CategoryScale, Colors, LinearScale, Legend, Tooltip);

const app = document.getElementById('app');
let me = null;
let charts = [];

// Per-user viewing settings, kept in this browser.
const settings = {
  get blur() { return Number(localStorage.getItem(`vigil.${me?.user}.blur`) || 16); },
  set blur(v) { localStorage.setItem(`vigil.${me?.user}.blur`, String(v)); applySettings(); },
  get gray() { return localStorage.getItem(`vigil.${me?.user}.gray`) === '1'; },
  set gray(v) { localStorage.setItem(`vigil.${me?.user}.gray`, v ? '1' : '0'); },
};

function applySettings() {
  document.documentElement.style.setProperty('--blur', `${settings.blur}px`);
}

const reviewer = () => me && (me.role === 'analyst' || me.role === 'coordinator');
const coordinator = () => me && me.role === 'coordinator';

function nav() {
  const route = location.hash.split('/')[1] || '';
  const link = (href, key, show = true) =>
    show && h('a', { href, class: route === href.slice(2) ? 'active' : null }, t(key));
  const lang = h('select', { 'aria-label': t('language'), id: 'language',
    onchange: (e) => { setLanguage(e.target.value); render(); } },
  Object.entries(languages).map(([k, v]) =>
    h('option', { value: k, selected: k === currentLanguage() }, v)));
  return h('header', {},
    h('strong', {}, 'vigil'),
    link('#/queue', 'queue', reviewer()),
    link('#/registry', 'registry', reviewer()),
    link('#/network', 'network', reviewer()),
    link('#/stats', 'stats'),
    link('#/audit', 'audit', me.role === 'auditor'),
    link('#/accounts', 'accounts', me.role === 'admin'),
    link('#/settings', 'settings'),
    h('span', { class: 'spacer' }),
    lang,
    h('span', {}, `${me.user} (${me.role})`),
    h('button', { id: 'signout', onclick: async () => {
      await api.logout().catch(() => {});
      me = null;
      render();
    } }, t('signout')));
}

// Hands `blob` to the browser as a file download.
function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

function page(...children) {
  for (const c of charts) c.destroy();
  charts = [];
  app.replaceChildren(nav(), h('main', {}, ...children));
}

function failure(e) {
  if (e instanceof ApiError && e.status === 401) {
    me = null;
    render();
    return;
  }
  page(h('p', { class: 'error', role: 'alert' }, e.message));
}

// --- sign-in --------------------------------------------------------------------

function loginPage(message) {
  const user = h('input', { type: 'text', id: 'user', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', id: 'password',
    autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert' }, message || '');
  const form = h('form', { class: 'panel login', onsubmit: async (e) => {
    e.preventDefault();
    try {
      me = await api.login(user.value, password.value);
      applySettings();
      location.hash = reviewer() ? '#/queue' : '#/stats';
      render();
    } catch (err) {
      error.textContent = err.status === 401 ? t('wrong') : err.message;
    }
  } },
  h('h1', {}, 'vigil'),
  h('label', {}, t('user'), user),
  h('label', {}, t('password'), password),
  h('button', { class: 'primary', type: 'submit', id: 'signin' }, t('signin')),
  error);
  app.replaceChildren(form);
  user.focus();
}

// --- the review queue ------------------------------------------------------------

const queueFilters = { category: '', channel: '', lang: '', since: '', until: '',
  media_match: false, face_candidate: false, all: false };

// A date input's value (YYYY-MM-DD, UTC) as unix seconds.
const unixDay = (d) => String(Math.floor(Date.parse(`${d}T00:00:00Z`) / 1000));

function queueParams() {
  const p = {};
  if (queueFilters.category) p.category = queueFilters.category;
  if (queueFilters.channel) p.channel = queueFilters.channel;
  if (queueFilters.lang) p.lang = queueFilters.lang;
  if (queueFilters.since) p.since = unixDay(queueFilters.since);
  // The "to" day is included: the API's until is exclusive.
  if (queueFilters.until) p.until = String(Number(unixDay(queueFilters.until)) + 86400);
  if (queueFilters.media_match) p.media_match = '1';
  if (queueFilters.face_candidate) p.face_candidate = '1';
  if (queueFilters.all) p.all = '1';
  return p;
}

let queueKeys = null;

// Filter changes re-render the queue while an earlier answer may still be on
// its way: only the newest request's answer is shown.
let queueSeq = 0;

async function queuePage() {
  const seq = ++queueSeq;
  const [data, recent] = await Promise.all([api.queue(queueParams()), api.recentDecisions(10)]);
  if (seq !== queueSeq) return;
  let selected = 0;
  const rows = data.items.map((item, i) => h('tr', {
    class: 'queue-item', 'data-ref': item.ref, onclick: () => { location.hash = `#/post/${item.ref}`; },
  },
  h('td', {}, item.score.toFixed(2)),
  h('td', {}, h('span', { class: 'badge' }, item.category)),
  h('td', { dir: 'auto' }, item.channel_title || item.channel_id),
  h('td', { dir: 'auto' }, item.text.length > 160 ? item.text.slice(0, 160) + '…' : item.text),
  h('td', {}, time(item.time)),
  h('td', {}, item.held_by || '')));
  const mark = () => rows.forEach((r, i) => r.classList.toggle('selected', i === selected));
  mark();
  const status = h('p', { class: 'notice', role: 'status', id: 'queue-status' });
  const decide = async (decision) => {
    const item = data.items[selected];
    if (!item) return;
    try {
      await api.decide(item.ref, decision, '');
      status.textContent = `${t('decided')}: ${decision}`;
      rows[selected].remove();
      rows.splice(selected, 1);
      data.items.splice(selected, 1);
      selected = Math.min(selected, rows.length - 1);
      mark();
    } catch (e) {
      status.textContent = e.message;
    }
  };
  if (queueKeys) document.removeEventListener('keydown', queueKeys);
  queueKeys = (e) => {
    if (!location.hash.startsWith('#/queue') || e.target.closest('input, textarea, select')) return;
    if (e.key === 'j') selected = Math.min(selected + 1, rows.length - 1);
    else if (e.key === 'k') selected = Math.max(selected - 1, 0);
    else if (e.key === 'o' || e.key === 'Enter') {
      if (data.items[selected]) location.hash = `#/post/${data.items[selected].ref}`;
      return;
    } else if (e.key === 'c') return decide('confirm');
    else if (e.key === 'd') return decide('dismiss');
    else if (e.key === 'e') return decide('escalate');
    else return;
    mark();
    rows[selected]?.scrollIntoView({ block: 'nearest' });
  };
  document.addEventListener('keydown', queueKeys);

  const check = (key, label = key) => h('label', {}, h('input', { type: 'checkbox', id: `f-${key}`,
    checked: queueFilters[key], onchange: (e) => { queueFilters[key] = e.target.checked; render(); } }),
  ' ', t(label));
  const category = h('select', { id: 'f-category', onchange: (e) => {
    queueFilters.category = e.target.value; render();
  } }, ['', 'sale_offer', 'sale_request', 'appeal'].map((c) =>
    h('option', { value: c, selected: c === queueFilters.category }, c || t('any'))));
  const channel = h('input', { type: 'text', id: 'f-channel', value: queueFilters.channel,
    placeholder: t('channel'), onchange: (e) => { queueFilters.channel = e.target.value; render(); } });
  const lang = h('select', { id: 'f-lang', onchange: (e) => { queueFilters.lang = e.target.value; render(); } },
    [['', t('any')], ['ar', 'العربية'], ['kmr', 'Kurmancî'], ['ckb', 'کوردی'], ['en', 'English']]
      .map(([v, label]) => h('option', { value: v, selected: v === queueFilters.lang }, label)));
  const day = (key) => h('input', { type: 'date', id: `f-${key}`, value: queueFilters[key],
    onchange: (e) => { queueFilters[key] = e.target.value; render(); } });
  page(
    h('div', { class: 'panel filters' },
      h('label', {}, t('category'), ' ', category),
      h('label', {}, t('post_language'), ' ', lang),
      h('label', {}, t('from_day'), ' ', day('since')), h('label', {}, t('to_day'), ' ', day('until')),
      channel,
      h('button', { id: 'f-reset', type: 'button', onclick: () => {
        Object.assign(queueFilters, { category: '', channel: '', lang: '', since: '', until: '',
          media_match: false, face_candidate: false, all: false });
        render();
      } }, t('reset_filters')),
      check('media_match'), check('face_candidate'), check('all', 'unflagged'),
      coordinator() ? h('button', { id: 'export-escalated', onclick: async () => {
        try {
          const file = await api.exportEscalated();
          save(file.blob, file.name);
          status.textContent = `${t('bundle_saved')}: ${file.name} (${file.originals})`;
        } catch (e) {
          status.textContent = e.message;
        }
      } }, t('export_escalated')) : null,
      h('button', { class: 'primary', id: 'take-next', onclick: async () => {
        const item = await api.next(queueParams());
        if (item.ref) location.hash = `#/post/${item.ref}`;
        else status.textContent = t('empty');
      } }, t('next'))),
    h('p', { class: 'muted' }, `${data.items.length} · ${t('keys')}`),
    status,
    rows.length === 0 ? h('p', {}, t('empty')) :
      h('table', { id: 'queue' },
        h('thead', {}, h('tr', {}, ['score', 'category', 'channel', 'text', 'time', 'held_by']
          .map((k) => h('th', {}, t(k))))),
        h('tbody', {}, rows)),
    h('div', { class: 'panel', id: 'recent-decisions' }, h('h3', {}, t('recent_decisions')),
      recent.decisions.length === 0 ? h('p', { class: 'muted' }, '—') :
        h('ul', {}, recent.decisions.map((d) => h('li', {},
          `${time(d.time)} ${d.actor}: ${t(d.decision)} · `,
          h('a', { href: `#/post/${d.ref}`, dir: 'auto' }, d.post),
          d.note ? h('span', { dir: 'auto' }, ` — ${d.note}`) : null)))));
}

// --- one post ----------------------------------------------------------------------

function sensitiveMedia(m) {
  const src = `/api/media/${m.sha256}`;
  const video = m.type === 'mp4' || m.type === 'webm';
  const el = video
    ? h('video', { src, muted: true, controls: true, preload: 'none', class: 'sensitive' })
    : h('img', { src, alt: m.name, class: 'sensitive', loading: 'lazy' });
  if (video) el.muted = true;
  const button = h('button', { class: 'reveal' }, t('reveal'));
  button.addEventListener('click', () => {
    const shown = !el.classList.contains('revealed');
    el.classList.toggle('revealed', shown && !settings.gray);
    el.classList.toggle('gray-only', shown && settings.gray);
    button.textContent = shown ? t('hide') : t('reveal');
  });
  return [el, button];
}

async function postPage(ref) {
  const p = await api.post(ref);
  const status = h('p', { class: 'notice', role: 'status', id: 'post-status' });
  const note = h('textarea', { id: 'note', rows: 2, maxlength: 4000 });
  const decideButton = (d) => h('button', { class: d, id: `decide-${d}`, onclick: async () => {
    try {
      await api.decide(ref, d, note.value);
      status.textContent = `${t('decided')}: ${t(d)}`;
    } catch (e) {
      status.textContent = e.message;
    }
  } }, t(d));
  const media = p.media.map((m) => h('div', { class: 'media panel' },
    h('div', { class: 'muted' }, `${m.name} · ${m.kind}${m.type ? ' · ' + m.type : ''}`),
    m.sha256 ? sensitiveMedia(m) : h('p', { class: 'error' }, m.error || ''),
    m.matches?.length ? h('div', {}, h('h4', {}, t('matches')),
      h('table', {}, m.matches.map((x) => h('tr', {},
        h('td', {}, x.kind), h('td', {}, x.list || x.target.slice(0, 12)),
        h('td', {}, x.signal_type), h('td', {}, `${t('distance')} ${x.distance}`))))) : null,
    m.reposts?.length ? h('div', { class: 'reposts' }, h('h4', {}, `${t('reposts')} (${m.reposts.length}${m.reposts_truncated ? '+' : ''})`),
      h('ul', {}, m.reposts.map((r) => h('li', {},
        h('a', { href: `#/post/${r.ref}`, dir: 'auto' },
          `${r.channel_title || r.channel_id} · ${r.external_id} · ${time(r.time)}`),
        r.sha256 !== m.sha256 ? h('span', { class: 'muted' }, ` · ${t('variant')} ${r.sha256.slice(0, 12)}`) : null)))) : null,
    m.registry_candidates?.length ? h('div', {}, h('h4', {}, t('candidates')),
      h('table', {}, m.registry_candidates.map((c) => h('tr', { class: 'candidate' },
        h('td', {}, coordinator() ? h('a', { href: `#/person/${c.case_code}` }, c.case_code) : c.case_code),
        h('td', {}, c.kind), h('td', {}, `${t('distance')} ${c.distance.toFixed(3)}`),
        h('td', {}, coordinator() ? h('button', { class: 'confirm confirm-match', onclick: async () => {
          try {
            await api.sighting(c.case_code, ref, m.sha256, c.distance);
            status.textContent = `${t('sighting_recorded')}: ${c.case_code}`;
          } catch (e) {
            status.textContent = e.message;
          }
        } }, t('confirm_match')) : null))))) : null));
  page(
    h('p', {}, h('a', { href: '#/queue' }, t('back'))),
    h('div', { class: 'panel' },
      h('div', { class: 'muted', dir: 'auto' },
        `${p.platform} · ${p.channel_title || p.channel_id} · ${p.external_id} · ${time(p.time)}`,
        p.author ? ` · ${p.author}` : ''),
      h('p', {}, h('span', { class: 'badge' }, p.category), ` ${t('score')} ${p.score.toFixed(2)}`,
        p.held_by ? ` · ${t('held_by')} ${p.held_by}` : ''),
      h('div', { class: 'post-text', dir: 'auto', id: 'post-text' }, highlighted(p.text, p.reasons))),
    p.selectors.length ? h('div', { class: 'panel' }, h('h3', {}, t('selectors')),
      h('ul', {}, p.selectors.map((s) => h('li', { dir: 'auto' }, `${s.kind}: ${s.value}`)))) : null,
    media.length ? h('div', {}, h('h3', {}, t('media')), h('div', { class: 'media-grid' }, media)) : null,
    h('div', { class: 'panel' },
      h('label', {}, t('note'), note),
      decideButton('confirm'), ' ', decideButton('dismiss'), ' ', decideButton('escalate'),
      status,
      p.decisions.length ? h('div', {}, h('h4', {}, t('decisions')),
        h('ul', {}, p.decisions.map((d) => h('li', {},
          `${time(d.time)} ${d.actor}: ${d.decision}${d.note ? ' — ' + d.note : ''}`)))) : null));
}

// --- the registry ---------------------------------------------------------------------

async function registryPage() {
  const { persons } = await api.persons();
  page(h('div', { class: 'panel' }, h('h2', {}, t('registry')),
    h('table', { id: 'persons' },
      h('tr', {}, h('th', {}, t('case_code')), h('th', {}, t('status')),
        coordinator() ? h('th', {}, t('names')) : null),
      persons.map((p) => h('tr', {},
        h('td', {}, coordinator() ? h('a', { href: `#/person/${p.case_code}` }, p.case_code) : p.case_code),
        h('td', {}, p.status),
        coordinator() ? h('td', { dir: 'auto' }, (p.names || []).join(', ')) : null)))));
}

async function personPage(code) {
  const p = await api.person(code);
  const status = h('p', { class: 'notice', role: 'status' });
  const to = h('select', { id: 'new-status' }, ['missing', 'sighted', 'located', 'rescued',
    'reunited', 'deceased', 'closed'].map((s) => h('option', { value: s, selected: s === p.status }, s)));
  const reason = h('input', { type: 'text', id: 'status-reason' });
  page(
    h('div', { class: 'panel' },
      h('h2', {}, `${p.case_code} · ${p.status}`),
      h('p', { dir: 'auto' }, (p.names || []).join(', ')),
      h('p', { class: 'muted', dir: 'auto' }, [p.sex, p.birth_year || '', p.place, p.date]
        .filter(Boolean).join(' · ')),
      p.family_contact ? h('p', { dir: 'auto' }, p.family_contact) : null,
      p.notes ? h('p', { dir: 'auto' }, p.notes) : null),
    p.photos.length ? h('div', { class: 'panel' }, h('h3', {}, t('photos')),
      h('div', { class: 'media-grid' }, p.photos.map((ph) => h('div', { class: 'media' },
        sensitiveMedia({ sha256: null, name: `photo ${ph.id}`, type: 'image' }).map((el, i) => {
          if (i === 0) el.src = `/api/registry/persons/${encodeURIComponent(code)}/photos/${ph.id}`;
          return el;
        }))))) : null,
    h('div', { class: 'panel' }, h('h3', {}, t('change_status')),
      h('form', { onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api.setStatus(code, to.value, reason.value);
          render();
        } catch (err) {
          status.textContent = err.message;
        }
      } }, to, ' ', h('label', {}, t('reason'), reason), h('button', { class: 'primary' }, t('save'))),
      status),
    h('div', { class: 'panel' }, h('h3', {}, t('history')),
      h('ul', {}, p.history.map((x) => h('li', {},
        `${time(x.time)} ${x.actor}: ${x.from || '—'} → ${x.to}${x.reason ? ' (' + x.reason + ')' : ''}`)))),
    h('div', { class: 'panel' }, h('h3', {}, t('sightings')),
      h('ul', {}, p.sightings.map((s) => h('li', {},
        `${time(s.post_time)} ${s.platform}/${s.channel_id}/${s.external_id} · ${t('distance')} ${s.distance.toFixed(3)} · ${s.actor}`)))),
    h('div', { class: 'panel' }, h('h3', {}, t('candidates')),
      h('ul', {}, p.candidates.map((c) => h('li', {},
        `${c.media_sha256.slice(0, 12)} · ${c.kind} · ${t('distance')} ${c.distance.toFixed(3)}`)))));
}

// --- the seller network ----------------------------------------------------------------

const kindColors = {
  channel: '#1f5fbf', author: '#b42318', phone: '#1d7a3a', handle: '#7c3aed', email: '#0e7490',
  wallet: '#b45309', url: '#6b7280', photo: '#be185d',
};
let graph = null;

async function networkPage() {
  const [, , focus] = location.hash.split('/');
  const node = focus ? decodeURIComponent(focus) : '';
  const data = await api.network(node ? { node, depth: 2 } : {});
  const detail = h('div', { class: 'panel', id: 'node-detail' }, h('p', { class: 'muted' }, t('click_node')));
  const status = h('p', { role: 'status', id: 'path-status' });
  const ids = h('datalist', { id: 'node-ids' }, data.nodes.map((n) => h('option', { value: n.id }, n.label)));
  const from = h('input', { type: 'text', id: 'path-from', list: 'node-ids', placeholder: t('path_from') });
  const to = h('input', { type: 'text', id: 'path-to', list: 'node-ids', placeholder: t('path_to') });
  const container = h('div', { id: 'network-graph', class: 'panel graph' });
  const showNode = (n) => {
    detail.replaceChildren(
      h('h3', { dir: 'auto' }, `${n.kind}: ${n.label}`),
      h('p', { class: 'muted', dir: 'auto' }, `${n.id} · ${n.posts} ${t('posts')}`),
      h('ul', {}, n.sample.map((p) => h('li', {}, h('a', { href: `#/post/${p.ref}`, dir: 'auto' }, p.key)))),
      h('p', {}, h('a', { href: `#/network/${encodeURIComponent(n.id)}`, id: 'focus-node' }, t('neighbourhood'))),
      h('button', { onclick: () => { from.value = n.id; } }, t('path_from')), ' ',
      h('button', { onclick: () => { to.value = n.id; } }, t('path_to')));
  };
  page(
    h('div', { class: 'panel filters' },
      h('span', {}, `${data.nodes.length} · ${data.edges.length} · ${data.posts} ${t('posts')}${data.truncated ? ' (' + t('truncated') + ')' : ''}`),
      node ? h('a', { href: '#/network' }, t('whole_network')) : null,
      from, to, ids,
      h('button', { class: 'primary', id: 'find-path', onclick: async () => {
        try {
          const p = await api.networkPath(from.value.trim(), to.value.trim());
          graph.elements().removeClass('on-path');
          if (!p.connected) {
            status.textContent = t('no_path');
            return;
          }
          for (const n of p.nodes) graph.getElementById(n.id).addClass('on-path');
          // The path walks its edges either way; the graph names each one way.
          for (const e of p.edges) {
            graph.getElementById(`${e.source}\u0000${e.target}`)
              .union(graph.getElementById(`${e.target}\u0000${e.source}`)).addClass('on-path');
          }
          status.textContent = p.nodes.map((n) => n.label).join(' → ');
        } catch (e) {
          status.textContent = e.message;
        }
      } }, t('find_path')), status),
    h('div', { class: 'network' }, container, detail));
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  if (graph) graph.destroy();
  graph = cytoscape({
    container,
    elements: [
      ...data.nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind, posts: n.posts } })),
      ...data.edges.map((e) => ({ data: { id: `${e.source}\u0000${e.target}`, source: e.source, target: e.target, posts: e.posts } })),
    ],
    style: [
      { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-wrap': 'ellipsis',
        'text-max-width': 120, width: 'mapData(posts, 1, 20, 14, 40)', height: 'mapData(posts, 1, 20, 14, 40)',
        'background-color': (el) => kindColors[el.data('kind')] || '#333' } },
      { selector: 'edge', style: { width: 'mapData(posts, 1, 10, 1, 6)', 'line-color': '#c3c9d2' } },
      { selector: '.on-path', style: { 'line-color': '#f59e0b', 'border-width': 4, 'border-color': '#f59e0b' } },
      { selector: ':selected', style: { 'border-width': 3, 'border-color': '#111' } },
    ],
    layout: { name: 'cose', animate: false, randomize: false },
  });
  // The graph's Cytoscape object, for the browser test (what is drawn on the
  // canvas has no DOM to query) and the browser console.
  window.__vigilGraph = graph;
  graph.on('tap', 'node', (e) => showNode(byId.get(e.target.id())));
  if (node && byId.has(node)) showNode(byId.get(node));
}

// --- statistics -----------------------------------------------------------------------

function csv(rows) {
  return rows.map((r) => r.map((v) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',')).join('\n') + '\n';
}

async function statsPage() {
  const s = await api.stats();
  const months = [...new Set(s.posts_by_month.map((m) => m.month))].sort();
  const categories = [...new Set(s.posts_by_month.map((m) => m.category))].filter((c) => c !== 'other');
  const count = (month, cat) => s.posts_by_month.find((m) => m.month === month && m.category === cat)?.count || 0;
  const byMonth = h('canvas', { id: 'chart-months', 'aria-label': t('by_month') });
  const byStatus = h('canvas', { id: 'chart-status', 'aria-label': t('by_status') });
  const rows = [['month', 'category', 'count'], ...s.posts_by_month.map((m) => [m.month, m.category, m.count])];
  const download = h('button', { id: 'csv', onclick: () => {
    save(new Blob([csv(rows)], { type: 'text/csv' }), 'vigil-posts-by-month.csv');
  } }, t('download_csv'));
  const changes = s.registry.changes_by_month;
  const changeMonths = [...new Set(changes.map((c) => c.month))].sort();
  const changeStatuses = [...new Set(changes.map((c) => c.status))];
  const changeRows = [['month', 'status', 'count'], ...changes.map((c) => [c.month, c.status, c.count])];
  const byChange = h('canvas', { id: 'chart-changes', 'aria-label': t('changes_by_month') });
  const downloadChanges = h('button', { id: 'csv-changes', onclick: () => {
    save(new Blob([csv(changeRows)], { type: 'text/csv' }), 'vigil-status-changes-by-month.csv');
  } }, t('download_csv'));
  page(
    h('div', { class: 'panel', id: 'totals' }, h('h2', {}, t('totals')),
      h('p', {}, `${s.totals.posts} ${t('posts')} · ${s.totals.flagged} ${t('flagged')} · `,
        h('span', { id: 'confirmed-matches' }, String(s.registry.confirmed_matches)),
        ` ${t('confirmed_matches')} · ${s.decisions.confirm} ${t('confirm')} · ${s.decisions.dismiss} ${t('dismiss')} · ${s.decisions.escalate} ${t('escalate')}`)),
    h('div', { class: 'panel chart' }, h('h3', {}, t('by_month')), byMonth, download),
    h('div', { class: 'panel chart' }, h('h3', {}, t('by_status')), byStatus),
    h('div', { class: 'panel chart' }, h('h3', {}, t('changes_by_month')), byChange, downloadChanges));
  charts.push(new Chart(byMonth, {
    type: 'bar',
    data: { labels: months, datasets: categories.map((c) => ({ label: c, data: months.map((m) => count(m, c)) })) },
    options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  }));
  charts.push(new Chart(byStatus, {
    type: 'bar',
    data: { labels: Object.keys(s.registry.by_status),
      datasets: [{ label: t('by_status'), data: Object.values(s.registry.by_status) }] },
    options: { animation: false, scales: { y: { beginAtZero: true } } },
  }));
  charts.push(new Chart(byChange, {
    type: 'bar',
    data: { labels: changeMonths, datasets: changeStatuses.map((st) => ({ label: st,
      data: changeMonths.map((m) => changes.find((c) => c.month === m && c.status === st)?.count || 0) })) },
    options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  }));
}

// --- audit and accounts ----------------------------------------------------------------

async function auditPage() {
  const from = Number(location.hash.split('/')[2] || 0);
  const data = await api.audit(from);
  const verdict = h('p', { role: 'status', id: 'verdict' });
  page(h('div', { class: 'panel' },
    h('button', { id: 'verify', onclick: async () => {
      const v = await api.verify();
      verdict.className = v.ok ? 'notice' : 'error';
      verdict.textContent = v.ok ? `OK · ${v.items} · ${v.signer_key_id}` : v.problems.join('; ');
    } }, t('verify')), verdict,
    h('table', { id: 'audit' },
      h('tr', {}, ['#', t('time'), t('actor'), t('action'), t('details')].map((x) => h('th', {}, x))),
      data.entries.map((e) => h('tr', {}, h('td', {}, e.seq), h('td', {}, time(e.time)),
        h('td', {}, e.actor), h('td', {}, e.action),
        h('td', { dir: 'auto' }, [e.details, ...e.items.map((i) => i.slice(0, 12))].filter(Boolean).join(' '))))),
    data.next !== null ? h('a', { href: `#/audit/${data.next}` }, t('more')) : null));
}

async function accountsPage() {
  const { accounts } = await api.accounts();
  const status = h('p', { role: 'status' });
  const name = h('input', { type: 'text', id: 'new-name' });
  const role = h('select', { id: 'new-role' }, ['analyst', 'coordinator', 'auditor', 'admin']
    .map((r) => h('option', { value: r }, r)));
  const password = h('input', { type: 'password', id: 'new-password', autocomplete: 'new-password' });
  page(
    h('div', { class: 'panel' }, h('table', { id: 'accounts' }, accounts.map((a) => h('tr', {},
      h('td', {}, a.name), h('td', {}, a.role), h('td', {}, a.disabled ? t('disabled') : ''),
      h('td', {}, a.name === me.user ? null : h('button', { onclick: async () => {
        try {
          await api.changeAccount(a.name, { disabled: !a.disabled });
          render();
        } catch (e) {
          status.textContent = e.message;
        }
      } }, a.disabled ? t('enable') : t('disable'))))))),
    h('form', { class: 'panel', onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api.addAccount(name.value, role.value, password.value);
        render();
      } catch (err) {
        status.className = 'error';
        status.textContent = err.message;
      }
    } }, h('label', {}, t('user'), name), h('label', {}, t('role'), ' ', role),
    h('label', {}, t('password'), password), h('button', { class: 'primary' }, t('add'))),
    status);
}

function settingsPage() {
  const blur = h('input', { type: 'range', id: 'blur', min: 4, max: 40, value: settings.blur,
    oninput: (e) => { settings.blur = Number(e.target.value); } });
  const gray = h('input', { type: 'checkbox', id: 'gray', checked: settings.gray,
    onchange: (e) => { settings.gray = e.target.checked; } });
  const sample = h('div', { class: 'sensitive sample' }, 'vigil');
  page(h('div', { class: 'panel' },
    h('label', {}, t('blur'), blur), sample,
    h('label', {}, gray, ' ', t('grayscale'))));
}

// --- routing -----------------------------------------------------------------------------

async function render() {
  applyLanguage();
  if (!me) {
    try {
      me = await api.me();
      applySettings();
    } catch {
      loginPage();
      return;
    }
  }
  const [, route, arg] = location.hash.split('/');
  try {
    if (route === 'post' && arg && reviewer()) await postPage(arg);
    else if (route === 'registry' && reviewer()) await registryPage();
    else if (route === 'network' && reviewer()) await networkPage();
    else if (route === 'person' && arg && coordinator()) await personPage(decodeURIComponent(arg));
    else if (route === 'audit' && me.role === 'auditor') await auditPage();
    else if (route === 'accounts' && me.role === 'admin') await accountsPage();
    else if (route === 'settings') settingsPage();
    else if (route === 'stats' || !reviewer()) await statsPage();
    else await queuePage();
  } catch (e) {
    failure(e);
  }
}

window.addEventListener('hashchange', render);
render();
