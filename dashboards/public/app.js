// The first dashboard: search, facets, a 48-hour trend and the latest feedback, refreshed every 5 s.
// Feedback is untrusted text: it is only ever placed with textContent, never as HTML.
const $ = (id) => document.getElementById(id);
const FACETS = ['sentiment', 'escalationLevel', 'topic', 'touchpoint', 'channel', 'lang', 'source'];
const picked = {};

function params() {
  const p = new URLSearchParams();
  if ($('q').value.trim()) p.set('q', $('q').value.trim());
  if ($('lang').value) p.set('lang', $('lang').value);
  if ($('level').value) p.set('escalationLevel', $('level').value);
  for (const [k, v] of Object.entries(picked)) if (v) p.set(k, v);
  return p;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

async function refresh() {
  const p = params();
  const search = new URLSearchParams(p);
  search.set('facets', FACETS.join(','));
  search.set('limit', '30');
  const trend = new URLSearchParams(p);
  trend.set('interval', 'hour');
  trend.set('from', new Date(Date.now() - 48 * 3600e3).toISOString());
  const [res, hist] = await Promise.all([
    fetch(`/api/feedback?${search}`).then((r) => r.json()),
    fetch(`/api/analytics/trends?${trend}`).then((r) => r.json()),
  ]);
  if (res.error) { $('status').textContent = res.error.message; return; }
  $('status').textContent = `updated ${new Date().toLocaleTimeString()}`;
  $('summary').textContent = `${res.total.toLocaleString()} matching items`;
  renderFacets(res.facets);
  renderTrend(hist.buckets ?? []);
  $('results').replaceChildren(...res.items.map(renderItem));
}

function renderFacets(facets) {
  const box = $('facets');
  box.replaceChildren();
  for (const field of FACETS) {
    box.append(el('h3', field));
    for (const b of facets[field] ?? []) {
      const btn = el('button', undefined, picked[field] === b.value ? 'on' : '');
      btn.append(el('span', b.value), el('span', String(b.count)));
      btn.onclick = () => { picked[field] = picked[field] === b.value ? '' : b.value; refresh(); };
      box.append(btn);
    }
  }
}

function renderTrend(buckets) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  $('trend').replaceChildren(...buckets.map((b) => {
    const bar = el('div');
    bar.style.height = `${(100 * b.count) / max}%`;
    bar.title = `${b.key}: ${b.count}`;
    return bar;
  }));
}

function renderItem(f) {
  const li = el('li');
  const a = f.analysis;
  const meta = el('div', undefined, 'meta');
  meta.append(
    el('span', new Date(f.publishedAt).toLocaleString()),
    el('span', `${f.channel} · ${f.source.name ?? f.source.id}`),
    el('span', a.sentiment.label, `badge ${(f.labels?.sentiment ?? a.sentiment.label)}`),
    el('span', a.escalation.level, `badge ${a.escalation.level}`),
    el('span', a.topics.map((t) => t.id).join(', ')),
  );
  if (f.survey) meta.append(el('span', `${f.survey.metric.toUpperCase()} ${f.survey.score}`));
  li.append(meta);
  if (f.title) li.append(el('strong', f.title));
  li.append(el('p', f.text || f.survey?.comment || ''));
  if (a.escalation.signals.length) {
    li.append(el('div', a.escalation.signals.map((s) => `${s.id}: ${s.evidence}`).join(' · '), 'signals'));
  }
  return li;
}

$('search').onsubmit = (e) => { e.preventDefault(); refresh(); };
refresh();
setInterval(refresh, 5000);
