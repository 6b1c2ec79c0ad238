// Builds elements from data with textContent only: text from posts,
// channels and registry fields is never parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function time(unix) {
  if (!unix) return '';
  return new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

// `text` with the reasons' byte ranges (UTF-8 offsets, as the server gives
// them) wrapped in <mark>.
export function highlighted(text, reasons) {
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const spans = [...reasons].sort((a, b) => a.begin - b.begin);
  const out = [];
  let at = 0;
  for (const r of spans) {
    if (r.begin < at || r.end > bytes.length || r.end <= r.begin) continue;
    out.push(decoder.decode(bytes.slice(at, r.begin)));
    out.push(h('mark', { class: r.class, title: `${r.class}: ${r.term} (${r.lang})` },
      decoder.decode(bytes.slice(r.begin, r.end))));
    at = r.end;
  }
  out.push(decoder.decode(bytes.slice(at)));
  return out;
}
