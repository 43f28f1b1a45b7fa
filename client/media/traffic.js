// Traffic page: rows of recent requests as the extension streams them in (messages, no globals), filtered by route
// and status here; a click asks for the request's detail. Everything from the network is inserted as text.
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const $ = (id) => /** @type {any} */ (document.getElementById(id));
  /** @type {any[]} */
  let entries = [];
  let selected = '';
  const routes = new Set();

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function visible(entry) {
    const route = $('route-filter').value;
    const status = $('status-filter').value;
    if (route !== '*' && entry.route !== route) return false;
    if (status === 'error') return entry.status >= 400;
    if (status !== '*') return String(entry.status).startsWith(status);
    return true;
  }

  function statusClass(status) {
    return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'ok';
  }

  function row(entry) {
    const tr = el('tr');
    tr.dataset.requestId = entry.requestId;
    if (entry.requestId === selected) tr.classList.add('selected');
    const time = new Date(entry.time);
    const cells = [
      time.toLocaleTimeString(),
      entry.method,
      entry.path,
      entry.route || '—',
      entry.consumer || '',
      String(entry.status),
      [entry.provider, entry.model].filter(Boolean).join(' / '),
      entry.tokens ? `${entry.tokens.prompt} + ${entry.tokens.completion}` : '',
      entry.cost !== undefined ? `$${entry.cost.toFixed(5)}` : '',
      `${Math.round(entry.durationMs)} ms`,
      entry.cache || '',
      entry.guardrail || '',
    ];
    cells.forEach((text, i) => {
      const td = el('td', i === 5 ? `status ${statusClass(entry.status)}` : '', text);
      tr.append(td);
    });
    tr.title = `${entry.requestId}${entry.stream ? ' · streamed' : ''}${entry.traceId ? ` · trace ${entry.traceId}` : ''}`;
    tr.addEventListener('click', () => open(entry.requestId));
    return tr;
  }

  function render() {
    const body = $('rows').tBodies[0];
    body.replaceChildren(...entries.filter(visible).reverse().map(row));
    $('empty').hidden = body.children.length > 0;
    $('empty').textContent = entries.length === 0 ? 'No requests yet.' : 'No request matches the filters.';
  }

  function addRoute(route) {
    if (!route || routes.has(route)) return;
    routes.add(route);
    const select = $('route-filter');
    const current = select.value;
    const names = [...routes].sort();
    select.replaceChildren(el('option', '', 'all'), ...names.map((name) => el('option', '', name)));
    select.options[0].value = '*';
    select.value = current;
  }

  function open(requestId) {
    selected = requestId;
    for (const tr of $('rows').tBodies[0].children) tr.classList.toggle('selected', tr.dataset.requestId === requestId);
    vscode.postMessage({ type: 'open', requestId });
  }

  function headerTable(table, headers) {
    table.replaceChildren();
    for (const [name, value] of Object.entries(headers || {})) {
      const tr = el('tr');
      tr.append(el('th', '', name), el('td', value === '<redacted>' ? 'muted' : '', value));
      table.append(tr);
    }
  }

  function bodyText(body, what) {
    if (!body) return `(${what} body not kept)`;
    const text = body.text !== undefined ? body.text : `(binary, ${body.bytes} bytes)`;
    let shown = text;
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch (e) {
      /* not JSON */
    }
    return body.truncated ? `${shown}\n… (${body.bytes} bytes in all; the start is kept)` : shown;
  }

  function showDetail(detail) {
    const entry = detail.entry;
    $('detail').hidden = false;
    $('detail-title').textContent = `${entry.method} ${entry.path}${detail.request.query || ''} → ${entry.status}`;
    const meta = [
      `route ${entry.route || '—'}`,
      `${Math.round(entry.durationMs)} ms`,
      entry.target ? `upstream ${entry.target}` : '',
      entry.traceId ? `trace ${entry.traceId}` : '',
      `request ${entry.requestId}`,
    ];
    $('detail-meta').textContent = meta.filter(Boolean).join(' · ');
    headerTable($('request-headers'), detail.request.headers);
    $('request-body').textContent = bodyText(detail.request.body, entry.bodies ? 'request' : 'request');
    const response = detail.response;
    $('response-status').textContent = response ? `${response.status}` : `The gateway answered ${entry.status} itself (no upstream answer).`;
    headerTable($('response-headers'), response ? response.headers : {});
    const events = $('response-events');
    events.replaceChildren();
    if (response && response.events) {
      for (const event of response.events) {
        const item = el('li');
        item.append(el('span', 'muted', `+${event.atMs} ms `), el('code', '', `${event.event ? `${event.event}: ` : ''}${event.data}`));
        events.append(item);
      }
      $('response-body').textContent = '';
    } else {
      $('response-body').textContent = response ? bodyText(response.body, 'answer') : '';
    }
    const trace = $('trace');
    trace.replaceChildren();
    for (const step of detail.trace) trace.append(el('li', '', `+${step.atMs} ms  ${step.stage}: ${step.outcome}${step.detail ? ` (${step.detail})` : ''}`));
    if (detail.trace.length === 0) trace.append(el('li', 'muted', 'No decisions recorded.'));
  }

  function showSource(message) {
    const source = $('source');
    source.className = message.connected ? 'live' : 'stopped';
    source.textContent = message.message || (message.connected ? `Live · ${message.label}` : `Connecting to ${message.label || 'the local gateway'}…`);
    const note = $('bodies-note');
    if (message.bodies === true) note.textContent = 'Bodies are kept for this gateway (the local gateway started by the editor), in memory only.';
    else if (message.bodies === false)
      note.textContent = 'This gateway keeps no bodies: only the local gateway started by the editor does. Headers are shown with credentials redacted.';
    else note.textContent = 'Bodies are kept only for the local gateway started by the editor.';
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    switch (message.type) {
      case 'source':
        showSource(message);
        break;
      case 'entries':
        entries = message.entries.slice();
        entries.forEach((entry) => addRoute(entry.route));
        render();
        break;
      case 'entry':
        entries.push(message.entry);
        if (entries.length > 200) entries.shift();
        addRoute(message.entry.route);
        if (visible(message.entry)) {
          $('rows').tBodies[0].prepend(row(message.entry));
          $('empty').hidden = true;
        }
        break;
      case 'detail':
        showDetail(message.detail);
        break;
      case 'error':
        $('detail').hidden = false;
        $('detail-meta').textContent = message.message;
        break;
    }
  });

  $('route-filter').addEventListener('change', render);
  $('status-filter').addEventListener('change', render);
  $('clear').addEventListener('click', () => {
    entries = [];
    render();
    vscode.postMessage({ type: 'clear' });
  });
  $('connect').addEventListener('click', () => vscode.postMessage({ type: 'connect' }));
  for (const action of ['replay', 'edit', 'curl']) {
    $(action).addEventListener('click', () => selected && vscode.postMessage({ type: action === 'curl' ? 'copyCurl' : action, requestId: selected }));
  }
  vscode.postMessage({ type: 'ready' });
})();
