// Test-request page: edits the request, asks the extension to send it (messages, no globals) and shows the
// answer as it streams in. Everything from the network is inserted as text, never as HTML.
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const $ = (id) => /** @type {any} */ (document.getElementById(id));
  let current = vscode.getState() || {};
  let activeId;
  let streamText = '';

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function readSpec() {
    let headers = {};
    try {
      headers = JSON.parse($('headers').value || '{}');
    } catch (err) {
      $('headers').setCustomValidity('Headers must be a JSON object');
      $('headers').reportValidity();
      return undefined;
    }
    $('headers').setCustomValidity('');
    return { route: current.spec ? current.spec.route : '', method: $('method').value, path: $('path').value, headers, body: $('body').value };
  }

  function showSpec(spec) {
    current.spec = spec;
    $('method').value = spec.method;
    $('path').value = spec.path;
    $('headers').value = JSON.stringify(spec.headers, null, 2);
    $('body').value = spec.body;
    $('route').textContent = spec.route ? `Route: ${spec.route}` : '';
    vscode.setState(current);
  }

  function pretty(body, contentType) {
    if ((contentType || '').includes('json')) {
      try {
        return JSON.stringify(JSON.parse(body), null, 2);
      } catch (e) {
        /* not JSON after all */
      }
    }
    return body;
  }

  function setStatus(status, text) {
    const badge = $('status');
    badge.textContent = text;
    badge.className = `badge ${status >= 500 || status === 0 ? 'error' : status >= 400 ? 'warn' : 'ok'}`;
  }

  function showHeaders(headers) {
    const table = $('response-headers');
    table.replaceChildren();
    for (const [name, value] of Object.entries(headers)) {
      const row = el('tr');
      row.append(el('th', '', name), el('td', '', String(value)));
      table.append(row);
    }
  }

  function showTrace(trace) {
    const list = $('trace');
    list.replaceChildren();
    if (!trace || trace.length === 0) {
      list.append(el('li', 'muted', 'The gateway sent no trace for this request.'));
      return;
    }
    for (const entry of trace) {
      // A multi-line detail (the upstream request a provider target was sent) keeps its lines.
      const multiline = entry.detail && entry.detail.includes('\n');
      const item = el('li', '', `+${entry.atMs} ms  ${entry.stage}: ${entry.outcome}${entry.detail && !multiline ? ` (${entry.detail})` : ''}`);
      if (multiline) item.append(el('pre', 'trace-detail', entry.detail));
      list.append(item);
    }
  }

  function deltaText(data) {
    try {
      const chunk = JSON.parse(data);
      const choice = chunk.choices && chunk.choices[0];
      return (choice && ((choice.delta && choice.delta.content) || choice.text)) || '';
    } catch (e) {
      return '';
    }
  }

  function showHistory(history) {
    const list = $('history');
    list.replaceChildren();
    for (const entry of history) {
      const item = el('li');
      const outcome = entry.error ? 'failed' : `${entry.status} · ${Math.round(entry.totalMs)} ms`;
      item.append(
        el('span', 'muted', new Date(entry.at).toLocaleTimeString()),
        el('code', '', `${entry.spec.method} ${entry.spec.path}`),
        el('span', '', outcome),
      );
      const again = el('button', 'secondary', 'Re-send');
      again.addEventListener('click', () => vscode.postMessage({ type: 'resend', id: entry.id }));
      const edit = el('button', 'secondary', 'Edit');
      edit.addEventListener('click', () => showSpec(entry.spec));
      item.append(again, edit);
      list.append(item);
    }
  }

  function onMessage(message) {
    switch (message.type) {
      case 'load':
        showSpec(message.spec);
        showHistory(message.history);
        break;
      case 'started':
        activeId = message.id;
        streamText = '';
        setStatus(200, 'Sending…');
        $('status').className = 'badge pending';
        $('timings').textContent = '';
        $('response-body').textContent = '';
        $('sse').replaceChildren();
        $('sse-box').hidden = true;
        $('sse-stats').textContent = '';
        $('trace').replaceChildren();
        break;
      case 'headers':
        if (message.id !== activeId) return;
        setStatus(message.status, `${message.status}`);
        $('timings').textContent = `first byte ${message.firstByteMs} ms`;
        showHeaders(message.headers);
        break;
      case 'sse': {
        if (message.id !== activeId) return;
        $('sse-box').hidden = false;
        const text = deltaText(message.event.data);
        streamText += text;
        $('response-body').textContent = streamText;
        const item = el('li');
        item.append(el('span', 'muted', `+${message.event.atMs} ms `), el('code', '', message.event.data));
        $('sse').append(item);
        break;
      }
      case 'done': {
        if (message.id !== activeId) return;
        const r = message.response;
        setStatus(r.status, `${r.status} ${r.statusText}`);
        const t = r.timings;
        const parts = [`connect ${t.connectMs ?? '–'} ms`, `first byte ${t.firstByteMs} ms`, `total ${t.totalMs} ms`];
        $('timings').textContent = parts.join(' · ');
        showHeaders(r.headers);
        if (r.sseEvents.length > 0) {
          $('sse-stats').textContent =
            `${r.sseEvents.length} events · time to first token ${t.timeToFirstTokenMs ?? '–'} ms · ${t.tokensPerSecond ?? '–'} tokens/s`;
          $('response-body').textContent = streamText;
        } else {
          $('response-body').textContent = pretty(r.body, r.headers['content-type']);
        }
        showTrace(r.trace);
        break;
      }
      case 'failed':
        if (message.id !== activeId) return;
        setStatus(0, 'Request failed');
        $('response-body').textContent = message.message;
        break;
      case 'history':
        showHistory(message.history);
        break;
      case 'trace': {
        if (message.id !== activeId) return;
        const t = message.trace;
        showTrace(t.entries);
        const up = t.upstream;
        const summary = el(
          'li',
          'muted',
          `${t.method} ${t.path} → route ${t.route || '–'}${t.consumer ? `, consumer ${t.consumer}` : ''}, ${t.status} in ${t.durationMs} ms; upstream ${up.target || '–'}${up.provider ? ` (provider ${up.provider}, model ${up.model || '–'})` : ''} after ${up.attempts} attempt(s)${up.ttfbMs !== undefined ? `, first byte ${up.ttfbMs} ms` : ''}${t.cache ? `; cache ${t.cache}` : ''}${typeof t.costUsd === 'number' ? `; cost $${t.costUsd.toFixed(6)}` : ''}`,
        );
        $('trace').prepend(summary);
        break;
      }
    }
  }

  $('request').addEventListener('submit', (event) => {
    event.preventDefault();
    const spec = readSpec();
    if (spec) vscode.postMessage({ type: 'send', spec });
  });
  $('curl').addEventListener('click', () => {
    const spec = readSpec();
    if (spec) vscode.postMessage({ type: 'copyCurl', spec });
  });
  window.addEventListener('message', (event) => onMessage(event.data));
  if (current.spec) showSpec(current.spec);
  vscode.postMessage({ type: 'ready' });
})();
