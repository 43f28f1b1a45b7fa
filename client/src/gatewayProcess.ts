// The local gateway as a child process of the bundled runtime CLI: started on a free port with a random admin key
// made for this session, its JSON log lines relayed to the output channel and turned into state changes, restarted
// with backoff when it crashes, and always ended with the extension.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../../common/src/nodeFlags';
import { ProcessEvents, ProcessEnv } from '../../common/src/protocol';
import type { Diagnostic } from '../../common/src/config';
import { AIGateway, type AIGatewayOptions } from '../../sdk/src';
import { parseLogLine, type LogLine } from './logLine';

export type GatewayState =
  | { kind: 'stopped' }
  | { kind: 'starting'; configPath: string }
  | { kind: 'running'; configPath: string; url: string; adminUrl: string; pid: number; recordingTo?: string }
  | { kind: 'crashed'; configPath: string; message: string; restartInMs?: number };

export interface GatewayProcessOptions {
  /** dist/cli.js of the extension. */
  cliPath: string;
  log: vscode.LogOutputChannel;
  /** Resolved per start, so settings changes apply on the next (re)start. */
  settings: () => { port: number | null; mockUnreachableTargets: boolean; restartOnCrash: boolean };
}

const firstBackoffMs = 1_000;
const maxBackoffMs = 30_000;
/** A process that stayed up this long counts as healthy again: the next crash starts the backoff over. */
const stableAfterMs = 60_000;
const stopGraceMs = 3_000;

export class GatewayProcess implements vscode.Disposable {
  /** The admin key of this editor session; never written to settings, logs or files. */
  readonly adminKey = randomBytes(24).toString('base64url');
  /** The extension's own admin calls carry request ids starting with this (random per session, so no user request has it). */
  readonly ownRequestPrefix = `editor-${randomBytes(6).toString('hex')}-`;
  private ownRequests = 0;
  private child: ChildProcess | undefined;
  /** While recording fixtures (Record Upstream Answers): the folder; kept across crash restarts. */
  private recordTo: string | undefined;
  private current: GatewayState = { kind: 'stopped' };
  private backoffMs = firstBackoffMs;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly stateEmitter = new vscode.EventEmitter<GatewayState>();
  private readonly configEmitter = new vscode.EventEmitter<{ applied: boolean; diagnostics: Diagnostic[] }>();
  /** Fires on every state change. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires when the running gateway applied or refused a change of its config file. */
  readonly onDidReloadConfig = this.configEmitter.event;

  constructor(private readonly options: GatewayProcessOptions) {}

  get state(): GatewayState {
    return this.current;
  }

  /** The SDK's admin client for the running gateway (its admin URL and this session's key); undefined unless it runs. */
  adminClient(options: Omit<AIGatewayOptions, 'url' | 'apiKey' | 'requestId'> = {}): AIGateway | undefined {
    const state = this.current;
    const requestId = () => `${this.ownRequestPrefix}${++this.ownRequests}`;
    return state.kind === 'running' ? new AIGateway({ ...options, url: state.adminUrl, apiKey: this.adminKey, requestId }) : undefined;
  }

  /**
   * Starts (or restarts onto another file); resolves once the gateway listens, rejects if it could not start.
   * `recordTo`: run `ai-gateway-cli record` instead, writing each upstream exchange into that folder.
   */
  async start(configPath: string, options: { recordTo?: string } = {}): Promise<Extract<GatewayState, { kind: 'running' }>> {
    await this.stop();
    this.backoffMs = firstBackoffMs;
    this.recordTo = options.recordTo;
    return this.launch(configPath);
  }

  async restart(): Promise<Extract<GatewayState, { kind: 'running' }>> {
    const configPath = 'configPath' in this.current ? this.current.configPath : undefined;
    if (!configPath) throw new Error('The local gateway is not running: start it on a config first.');
    return this.start(configPath, { recordTo: this.recordTo });
  }

  /** `port` wins over the setting: a restart after a crash comes back on the port clients already use. */
  private launch(configPath: string, port?: number): Promise<Extract<GatewayState, { kind: 'running' }>> {
    const settings = this.options.settings();
    const command = this.recordTo ? ['record', '--out', this.recordTo] : ['start'];
    const args = [...GATEWAY_NODE_FLAGS, this.options.cliPath, ...command, '--config', configPath, '--host', '127.0.0.1'];
    const listenPort = port ?? settings.port;
    if (listenPort !== null) args.push('--port', String(listenPort));
    this.options.log.info(`Starting the local gateway on ${configPath}`);
    const child = spawn(process.execPath, args, {
      cwd: path.dirname(configPath),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...GATEWAY_ENV, // the user's own environment wins
        ...process.env,
        ELECTRON_RUN_AS_NODE: '1', // the desktop extension host's execPath is Electron: make it a plain node
        AI_GATEWAY_API_KEY: this.adminKey,
        [ProcessEnv.trafficBodies]: '1', // this gateway is the user's own, on this machine: the Traffic view shows bodies
        ...(settings.mockUnreachableTargets ? { [ProcessEnv.mockUnreachableTargets]: '1' } : {}),
      },
    });
    this.child = child;
    this.stopping = false;
    this.setState({ kind: 'starting', configPath });
    const startedAt = Date.now();

    return new Promise((resolve, reject) => {
      let settled = false;
      const stderrTail: string[] = [];
      forEachLine(child.stdout, (line) => {
        const entry = parseLogLine(line);
        this.relay(entry);
        if (entry.msg === ProcessEvents.listening && !settled) {
          const url = String(entry.fields['url'] ?? '');
          const adminUrl = String(entry.fields['adminUrl'] ?? url);
          const running = {
            kind: 'running' as const,
            configPath,
            url,
            adminUrl,
            pid: child.pid ?? 0,
            ...(this.recordTo ? { recordingTo: this.recordTo } : {}),
          };
          settled = true;
          this.setState(running);
          resolve(running);
        } else if (entry.msg === ProcessEvents.configApplied) {
          this.configEmitter.fire({ applied: true, diagnostics: [] });
        } else if (entry.msg === ProcessEvents.configRejected) {
          this.configEmitter.fire({ applied: false, diagnostics: (entry.fields['diagnostics'] as Diagnostic[] | undefined) ?? [] });
        }
      });
      forEachLine(child.stderr, (line) => {
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
        this.options.log.info(`[gateway] ${line}`);
      });
      child.once('error', (err) => {
        this.options.log.error(`The gateway process could not be started: ${err.message}`);
      });
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        const servedPort = this.current.kind === 'running' && this.current.pid === child.pid ? Number(new URL(this.current.url).port) : undefined;
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (this.stopping) {
          this.options.log.info(`The local gateway stopped (${how})`);
          this.setState({ kind: 'stopped' });
        } else {
          this.onCrash(configPath, `The local gateway exited with ${how}`, Date.now() - startedAt, settled, servedPort);
        }
        if (!settled) {
          settled = true;
          const detail = stderrTail.filter((l) => l.trim() !== '').join('\n');
          reject(new Error(`The local gateway exited with ${how} before listening${detail ? `:\n${detail}` : ''}`));
        }
      });
    });
  }

  private onCrash(configPath: string, message: string, upMs: number, hadStarted: boolean, servedPort: number | undefined): void {
    this.options.log.error(message);
    if (upMs >= stableAfterMs) this.backoffMs = firstBackoffMs;
    // A config that cannot start would crash-loop: only restart a gateway that had been listening.
    if (!hadStarted || !this.options.settings().restartOnCrash) {
      this.setState({ kind: 'crashed', configPath, message });
      return;
    }
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, maxBackoffMs);
    this.setState({ kind: 'crashed', configPath, message, restartInMs: delay });
    this.options.log.warn(`Restarting the local gateway in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      // The same port if it is still free (clients keep their URL), else the setting's.
      void (servedPort === undefined ? Promise.resolve(false) : isPortFree(servedPort))
        .then((free) => {
          if (this.current.kind !== 'crashed') return undefined; // stopped or started again meanwhile
          return this.launch(configPath, free ? servedPort : undefined);
        })
        .catch((err: unknown) => this.options.log.error(err instanceof Error ? err.message : String(err)));
    }, delay);
  }

  /** Stops the gateway and waits for the process to be gone. */
  async stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child) {
      if (this.current.kind !== 'stopped') this.setState({ kind: 'stopped' });
      return;
    }
    this.stopping = true;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private relay(entry: LogLine): void {
    const text = entry.text;
    if (entry.level >= 50) this.options.log.error(text);
    else if (entry.level >= 40) this.options.log.warn(text);
    else if (this.isOwnRequest(entry)) this.options.log.trace(text);
    else if (entry.level >= 30) this.options.log.info(text);
    else this.options.log.debug(text);
  }

  /**
   * The access line of one of the extension's own admin calls (the metrics poll every second): shown at trace, so
   * the output keeps the user's requests in view. The gateway's own log still has it at info; only this view hides it.
   */
  private isOwnRequest(entry: LogLine): boolean {
    const id = entry.fields['requestId'];
    return entry.msg === ProcessEvents.request && typeof id === 'string' && id.startsWith(this.ownRequestPrefix);
  }

  private setState(state: GatewayState): void {
    this.current = state;
    void vscode.commands.executeCommand('setContext', 'aiGateway.running', state.kind === 'running' || state.kind === 'starting');
    this.stateEmitter.fire(state);
  }

  dispose(): void {
    clearTimeout(this.restartTimer);
    this.stopping = true;
    this.child?.kill('SIGKILL'); // the window is going away: no time for a graceful close
    this.stateEmitter.dispose();
    this.configEmitter.dispose();
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function forEachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onLine(line);
  });
  stream.on('end', () => {
    if (buffered.trim() !== '') onLine(buffered);
  });
}
