// The dashboard's pages; each has enter() and, when it holds something open, leave().
'use strict';

const FIGURE_COUNTS = ['offered', 'accepted', 'declined', 'ignored', 'converted'];

/* ---------- Live: the decision stream, read with fetch so the token goes in a header ---------- */
nudge.pages.live = {
  controller: null,
  shown: 0,
  async enter() {
    this.leave();
    this.shown = 0;
    fill('live-decisions', []);
    document.getElementById('live-count').textContent = '0';
    const controller = new AbortController();
    this.controller = controller;
    this.read(controller).catch(e => {
      if (!controller.signal.aborted) document.getElementById('live-status').textContent = 'Disconnected: ' + e.message;
    });
  },
  leave() {
    if (this.controller) this.controller.abort();
    this.controller = null;
  },
  async read(controller) {
    const status = document.getElementById('live-status');
    const response = await fetch('/v1/decisions/stream',
      { headers: { Authorization: 'Bearer ' + token() }, signal: controller.signal, cache: 'no-store' });
    if (response.status === 401 || response.status === 403) {
      logout('the admin token was refused (' + response.status + ')');
      return;
    }
    if (!response.ok) throw new Error('the stream answered ' + response.status);
    status.textContent = 'Connected: new decisions appear at the top.';
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.frame(buffer.substring(0, end));
        buffer = buffer.substring(end + 2);
      }
    }
    if (!controller.signal.aborted) status.textContent = 'The stream ended; reload the page to reconnect.';
  },
  frame(text) {
    let event = 'message';
    let data = '';
    for (const line of text.split('\n')) {
      if (line.startsWith('event: ')) event = line.substring(7);
      else if (line.startsWith('data: ')) data += line.substring(6);
    }
    if (!data) return;
    const body = JSON.parse(data);
    if (event === 'figures') {
      document.getElementById('live-rate').textContent = body.eventsPerSecond;
      document.getElementById('live-queued').textContent = body.queued;
    } else if (event === 'decision') {
      const tbody = document.getElementById('live-decisions');
      tbody.insertBefore(decisionRow(body, true), tbody.firstChild);
      while (tbody.children.length > 200) tbody.removeChild(tbody.lastChild);
      document.getElementById('live-count').textContent = String(++this.shown);
    }
  },
};

function decisionRow(d, withCustomer) {
  const cells = [d.decidedAt];
  if (withCustomer) cells.push(d.customerId);
  cells.push(d.rule, d.type, el('span', d.outcome, 'outcome-' + d.outcome), d.reason);
  return row(cells);
}

/* ---------- Rules ---------- */
nudge.pages.rules = {
  async enter() {
    const form = document.getElementById('rules-form');
    if (!form.dataset.bound) {
      form.dataset.bound = 'yes';
      document.getElementById('rules-validate').addEventListener('click', () => guarded(() => this.validate()));
      document.getElementById('rules-upload').addEventListener('click', () => guarded(() => this.upload()));
      document.getElementById('rules-rollback').addEventListener('click', () => guarded(() => this.rollback()));
    }
    await this.load();
  },
  async load() {
    const r = await api('/v1/rules');
    fill('rules-summary', [el('p', 'Version ' + r.version + ', deployed ' + r.deployedAt + ' — status: ' + r.status)]);
    fill('rules-files', r.files.map(f => el('li', f)));
    fill('rules-counts', Object.entries(r.rules).map(([rule, c]) => row([rule, c.sent, c.suppressed])));
    fill('rules-problems', r.problems.length ? r.problems.map(problemItem) : [el('li', 'none')]);
    fill('rules-history', r.history.map(h => el('li', h.version + ' — ' + h.how + ' at ' + h.deployedAt)));
  },
  file() {
    const name = document.getElementById('rules-name').value.trim();
    const text = document.getElementById('rules-text').value;
    if (!name) throw new Error('a file name is required, for example my-rule.drl');
    return { name, text };
  },
  async validate() {
    const { name, text } = this.file();
    const r = await api('/v1/rules/validate', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ files: { [name]: text } }) });
    this.result(r.valid ? name + ' is valid' : name + ' does not compile', r.problems);
  },
  async upload() {
    const { name, text } = this.file();
    try {
      await api('/v1/rules/' + encodeURIComponent(name), { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: text });
      this.result(name + ' uploaded and deployed', []);
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 400) {
        this.result(e.message, (e.body && e.body.problems) || []);
        return;
      }
      throw e;
    }
    await this.load();
  },
  async rollback() {
    if (!confirm('Roll back to the previous deployed version of the rules?')) return;
    await api('/v1/rules/rollback', { method: 'POST' });
    this.result('rolled back', []);
    await this.load();
  },
  result(message, problems) {
    const list = el('ul');
    problems.forEach(p => list.appendChild(problemItem(p)));
    fill('rules-result', [el('p', message, problems.length ? 'error' : ''), list]);
  },
};

function problemItem(p) {
  return el('li', p.file + ' line ' + p.line + (p.column ? ', column ' + p.column : '') + ': ' + p.message, 'error');
}

/* ---------- Customers ---------- */
nudge.pages.customers = {
  id: null,
  async enter() {
    const form = document.getElementById('customer-form');
    if (!form.dataset.bound) {
      form.dataset.bound = 'yes';
      form.addEventListener('submit', e => {
        e.preventDefault();
        guarded(() => this.lookUp(document.getElementById('customer-id').value.trim()));
      });
      document.getElementById('customer-export').addEventListener('click', () => guarded(() => this.exportData()));
      document.getElementById('customer-erase').addEventListener('click', () => guarded(() => this.erase()));
    }
  },
  async lookUp(anyId) {
    document.getElementById('customer').hidden = true;
    fill('customer-result', []);
    const path = '/v1/customers/' + encodeURIComponent(anyId);
    const c = await api(path);
    this.id = c.customerId;
    const [consent, journey, decisions] = await Promise.all([api(path + '/consent'),
      api(path + '/journey?limit=100'), api(path + '/decisions')]);
    document.getElementById('customer-title').textContent = 'Customer ' + c.customerId;
    fill('customer-ids', c.links.map(l => el('li', l.kind + ' ' + l.id + ' (' + l.reason + ', ' + l.linkedAt + ')')));
    fill('customer-consent', Object.entries(consent.consent).map(([purpose, v]) =>
      row([purpose, v.granted ? 'granted' : 'denied', v.source, v.at])));
    fill('customer-timeline', journey.timeline.map(t => row([t.at, t.kind, t.title + details(t.details)])));
    fill('customer-decisions', decisions.decisions.map(d => row([d.decidedAt, d.rule, d.type,
      el('span', d.outcome, 'outcome-' + d.outcome), d.reason, explanation(d.explanation)])));
    document.getElementById('customer').hidden = false;
  },
  async exportData() {
    const data = await api('/v1/customers/' + encodeURIComponent(this.id) + '/export');
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
    const link = el('a', 'Download the export of ' + this.id);
    link.href = URL.createObjectURL(blob);
    link.download = 'nudge-export-' + this.id + '.json';
    fill('customer-result', [link]);
    link.click();
  },
  async erase() {
    if (!confirm('Erase customer ' + this.id + ' and everything kept about them? This cannot be undone.')) {
      fill('customer-result', [el('p', 'Not erased.')]);
      return;
    }
    const receipt = await api('/v1/customers/' + encodeURIComponent(this.id), { method: 'DELETE' });
    document.getElementById('customer').hidden = false;
    fill('customer-result', [el('p', 'Erased ' + this.id + '.'), el('pre', JSON.stringify(receipt, null, 2))]);
  },
};

function details(d) {
  const parts = Object.entries(d || {}).map(([k, v]) => k + ' ' + v);
  return parts.length ? ' (' + parts.join(', ') + ')' : '';
}

function explanation(x) {
  if (!x) return '';
  const lines = [String(x.ruleReason)];
  (x.matched || []).forEach(m => lines.push('matched: ' + m));
  if (x.consent) lines.push('consent: ' + Object.entries(x.consent).map(([k, v]) => k + ' ' + v).join(', '));
  if (x.arbitration) lines.push('arbitration: ' + JSON.stringify(x.arbitration));
  if (x.downgradedFrom) lines.push('downgraded from: ' + JSON.stringify(x.downgradedFrom));
  return el('span', lines.join('\n'), 'explanation');
}

/* ---------- Charts ---------- */
function chart(id) {
  const node = document.getElementById(id);
  const existing = echarts.getInstanceByDom(node);
  return existing || echarts.init(node, null, { renderer: 'svg' });
}

function totalsRow(name, t) {
  return row([name].concat(FIGURE_COUNTS.map(c => t[c])));
}

function bind(formId, action) {
  const form = document.getElementById(formId);
  if (!form.dataset.bound) {
    form.dataset.bound = 'yes';
    form.addEventListener('submit', e => { e.preventDefault(); guarded(action); });
  }
}

/* ---------- Performance ---------- */
nudge.pages.performance = {
  async enter() {
    bind('performance-form', () => this.load());
    await this.load();
  },
  async load() {
    const p = await api('/v1/performance' + query({ from: isoOf('performance-from'), to: isoOf('performance-to'),
      bucket: document.getElementById('performance-bucket').value }));
    const totals = {};
    FIGURE_COUNTS.forEach(c => { totals[c] = p.buckets.map(() => 0); });
    Object.values(p.byRule).forEach(r => FIGURE_COUNTS.forEach(c => r[c].forEach((n, i) => { totals[c][i] += n; })));
    chart('performance-chart').setOption({
      tooltip: { trigger: 'axis' }, legend: {}, grid: { left: 48, right: 24 },
      xAxis: { type: 'category', data: p.buckets.map(b => b.substring(0, 16).replace('T', ' ')) },
      yAxis: { type: 'value', minInterval: 1 },
      series: FIGURE_COUNTS.map(c => ({ name: c, type: 'line', data: totals[c] })),
    }, true);
    const reasons = Object.entries(p.suppressed);
    chart('suppression-chart').setOption({
      tooltip: {}, grid: { left: 160, right: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: reasons.map(([r]) => r) },
      series: [{ name: 'suppressed', type: 'bar', data: reasons.map(([, v]) => v.total) }],
    }, true);
    fill('performance-rules', Object.entries(p.byRule).map(([rule, r]) => totalsRow(rule, r.total)));
    fill('performance-types', Object.entries(p.byType).map(([type, r]) => totalsRow(type, r.total)));
    const pct = v => (v === null ? '–' : (100 * v).toFixed(1) + ' %');
    fill('performance-holdout', Object.entries(p.holdout).map(([rule, h]) => row([rule,
      pct(h.offeredConversionRate) + ' of ' + h.offered, pct(h.heldOutConversionRate) + ' of ' + h.heldOut,
      h.uplift === null ? '–' : (h.uplift >= 0 ? '+' : '') + (100 * h.uplift).toFixed(1) + ' points'])));
  },
};

/* ---------- Journeys ---------- */
nudge.pages.journeys = {
  async enter() {
    bind('journeys-form', () => this.load());
    await this.load();
  },
  async load() {
    const j = await api('/v1/journeys/paths' + query({ from: isoOf('journeys-from'), to: isoOf('journeys-to'),
      steps: document.getElementById('journeys-steps').value, top: document.getElementById('journeys-top').value }));
    document.getElementById('journeys-summary').textContent = j.visits + ' visits from ' + j.events
      + ' events (at most ' + j.maxEvents + ' read); the ' + j.paths.length + ' most common paths cover '
      + j.visitsShown + ' of them.';
    const colour = n => (n.label === 'exit' ? '#9aa3ae' : n.label.startsWith('engagement ') ? '#e07b00' : '#1f5fbf');
    chart('journeys-chart').setOption({
      tooltip: { trigger: 'item' },
      series: [{
        name: 'paths', type: 'sankey', emphasis: { focus: 'adjacency' }, nodeAlign: 'left',
        data: j.nodes.map(n => ({ name: n.name, itemStyle: { color: colour(n) } })),
        links: j.links, label: { formatter: p => p.name.substring(p.name.indexOf(' ') + 1) },
      }],
    }, true);
    fill('journeys-paths', j.paths.map(p => row([p.visits, p.steps.join(' → ')])));
  },
};
