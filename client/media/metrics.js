// Metrics page: receives one summary per second from the extension (messages, no globals), keeps two minutes
// of history per route and draws it as SVG line charts in the theme's colors.
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const HISTORY = 120;
  /** @type {{ history: Record<string, Array<{at:number, rate:number, p50:number, p95:number, p99:number, errorPct:number, tokensPerSec:number, usdPerMin:number}>>, totals: Record<string, any>, focus?: string, lastTokens: Record<string, {at:number,total:number}>, windowSeconds?: number }} */
  const state = vscode.getState() || { history: {}, totals: {}, lastTokens: {} };
  const routesEl = /** @type {HTMLElement} */ (document.getElementById('routes'));
  const statusEl = /** @type {HTMLElement} */ (document.getElementById('status'));
  const SVG = 'http://www.w3.org/2000/svg';

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Dollars with enough digits to show a cent's fraction of a cent: requests of small models cost micro-dollars. */
  function usd(n) {
    return `$${(n || 0).toFixed(n >= 1 ? 2 : 6)}`;
  }

  function fmt(n, digits) {
    if (!isFinite(n)) return '–';
    return n >= 100 ? String(Math.round(n)) : n.toFixed(digits);
  }

  /** A small line chart: one polyline per series, y from 0 to the max seen. */
  function chart(title, unit, series, points, digits = 1) {
    const box = el('figure', 'chart');
    const caption = el('figcaption');
    caption.append(el('span', 'chart-title', title));
    const latest = points.length
      ? series.map((s) => `${s.label ? s.label + ' ' : ''}${fmt(s.value(points[points.length - 1]), digits)}${unit}`).join(' · ')
      : '–';
    caption.append(el('span', 'chart-value', latest));
    box.append(caption);
    const width = 300,
      height = 70;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `${title}: ${latest}`);
    const max = Math.max(1e-9, ...points.flatMap((p) => series.map((s) => s.value(p))));
    for (const s of series) {
      const line = document.createElementNS(SVG, 'polyline');
      const step = width / Math.max(1, HISTORY - 1);
      const offset = HISTORY - points.length;
      line.setAttribute(
        'points',
        points.map((p, i) => `${((offset + i) * step).toFixed(1)},${(height - 2 - (s.value(p) / max) * (height - 6)).toFixed(1)}`).join(' '),
      );
      line.setAttribute('class', `series ${s.className}`);
      svg.append(line);
    }
    box.append(svg);
    return box;
  }

  function render() {
    routesEl.replaceChildren();
    const names = Object.keys(state.totals).sort((a, b) => (a === state.focus ? -1 : b === state.focus ? 1 : a.localeCompare(b)));
    if (names.length === 0) {
      routesEl.append(el('p', 'empty', 'No route has metrics yet.'));
      return;
    }
    for (const name of names) {
      const totals = state.totals[name];
      const points = state.history[name] || [];
      const card = el('section', name === state.focus ? 'route focused' : 'route');
      card.dataset.route = name;
      const head = el('h2');
      head.append(el('span', 'route-name', name));
      const cache = totals.cache && totals.cache.hits + totals.cache.misses > 0 ? ` · ${totals.cache.hits} cache hits` : '';
      const cost = `${usd(totals.costUsd)} in ${state.windowSeconds || 60} s`;
      head.append(
        el(
          'span',
          'route-totals',
          `${totals.count} req · p95 ${fmt(totals.p95, 0)} ms · ${totals.errors} errors · ${totals.tokens.total} tokens · ${cost}${cache}`,
        ),
      );
      card.append(head);
      const grid = el('div', 'charts');
      grid.append(
        chart('Requests', ' /s', [{ value: (p) => p.rate, className: 's1' }], points),
        chart(
          'Latency',
          ' ms',
          [
            { label: 'p50', value: (p) => p.p50, className: 's1' },
            { label: 'p95', value: (p) => p.p95, className: 's2' },
            { label: 'p99', value: (p) => p.p99, className: 's3' },
          ],
          points,
        ),
        chart('Error rate', ' %', [{ value: (p) => p.errorPct, className: 'err' }], points),
        chart('Tokens', ' /s', [{ value: (p) => p.tokensPerSec, className: 's2' }], points),
        chart('Cost', ' $/min', [{ value: (p) => p.usdPerMin || 0, className: 's3' }], points, 6),
      );
      card.append(grid);
      routesEl.append(card);
    }
  }

  function onSample(at, summary) {
    for (const r of summary.routes) {
      const last = state.lastTokens[r.route];
      const tokensPerSec = last && at > last.at ? Math.max(0, (r.tokens.total - last.total) / ((at - last.at) / 1000)) : 0;
      state.lastTokens[r.route] = { at, total: r.tokens.total };
      const list = (state.history[r.route] = state.history[r.route] || []);
      const usdPerMin = ((r.costUsd || 0) * 60) / Math.max(1, summary.windowSeconds);
      list.push({ at, rate: r.rate, p50: r.p50, p95: r.p95, p99: r.p99, errorPct: r.errorRatio * 100, tokensPerSec, usdPerMin });
      if (list.length > HISTORY) list.splice(0, list.length - HISTORY);
      state.totals[r.route] = r;
    }
    state.windowSeconds = summary.windowSeconds;
    statusEl.textContent = `Live · updated ${new Date(at).toLocaleTimeString()} · window ${summary.windowSeconds} s`;
    statusEl.className = 'live';
    vscode.setState(state);
    render();
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'sample') onSample(message.at, message.summary);
    else if (message.type === 'stopped') {
      statusEl.textContent = 'The local gateway is not running.';
      statusEl.className = 'stopped';
    } else if (message.type === 'focus') {
      state.focus = message.route;
      render();
    }
  });
  render();
  vscode.postMessage({ type: 'ready' });
})();
