// The config model on a worker thread: admin changes and reloads are validated here, so a large or hostile config
// costs the change its time and never holds up the requests the gateway is serving. Its own entry point
// (dist/validationWorker.js in the extension's bundle); offThreadCheck.ts starts it and talks to it.
import { parentPort } from 'node:worker_threads';
import { checkConfigText } from './configCheck';
import type { CheckAnswer, CheckRequest } from './offThreadCheck';

parentPort?.on('message', (request: CheckRequest) => {
  let answer: CheckAnswer;
  try {
    answer = { id: request.id, ...checkConfigText(request.text, request.options, request.running) };
  } catch (err) {
    answer = { id: request.id, diagnostics: [], restart: [], restartWarnings: [], failure: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(answer);
});
