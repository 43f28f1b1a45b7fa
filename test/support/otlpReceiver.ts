// Starts the OTLP receiver process (otlpReceiverProcess.ts) and follows what it prints: the spans it decoded and the
// exports it saw, awaited by event, never by sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { ReceivedSpan } from './otlpDecode';

export interface ReceivedExport {
  path: string;
  contentType: string;
  headers: Record<string, string>;
}

export class OtlpReceiver extends EventEmitter {
  readonly spans: ReceivedSpan[] = [];
  readonly exports: ReceivedExport[] = [];
  readonly errors: string[] = [];
  url = '';

  private constructor(private readonly child: ChildProcess) {
    super();
  }

  static async start(...args: string[]): Promise<OtlpReceiver> {
    const child = spawn(process.execPath, [path.join(__dirname, 'otlpReceiverProcess.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const receiver = new OtlpReceiver(child);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => receiver.onLine(line));
    const [url] = (await once(receiver, 'listening')) as [string];
    receiver.url = url;
    return receiver;
  }

  /** Resolves with the spans of `traceId` once `count` of them arrived. */
  async trace(traceId: string, count: number): Promise<ReceivedSpan[]> {
    for (;;) {
      const spans = this.spans.filter((span) => span.traceId === traceId);
      if (spans.length >= count) return spans;
      await once(this, 'span');
    }
  }

  /** Resolves once `count` export requests arrived in all. */
  async exportCount(count: number): Promise<void> {
    while (this.exports.length < count) await once(this, 'export');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }

  private onLine(line: string): void {
    const message = JSON.parse(line) as { listening?: string; span?: ReceivedSpan; export?: ReceivedExport; error?: string };
    if (message.listening) this.emit('listening', message.listening);
    if (message.export) {
      this.exports.push(message.export);
      this.emit('export', message.export);
    }
    if (message.span) {
      this.spans.push(message.span);
      this.emit('span', message.span);
    }
    if (message.error) this.errors.push(message.error);
  }
}
