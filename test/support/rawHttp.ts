// HTTP at the byte level, for the cases a client library would not send or would hide: an `Expect: 100-continue`
// whose interim answer must be seen (or not) before the body goes, a body cut off half-way, malformed heads.
import { once } from 'node:events';
import net from 'node:net';

/** One raw connection; `text` is everything the server sent so far. */
export class RawConnection {
  text = '';
  closed = false;
  private readonly socket: net.Socket;
  private readonly ready: Promise<unknown>;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = net.connect(Number(port), hostname);
    this.ready = once(this.socket, 'connect');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.text += chunk;
      this.socket.emit('progress');
    });
    this.socket.on('error', () => undefined); // a reset after the server gave up is an outcome the tests look at
    this.socket.on('close', () => {
      this.closed = true;
      this.socket.emit('progress');
    });
  }

  async write(data: string | Buffer): Promise<void> {
    await this.ready;
    if (this.socket.destroyed) return;
    // A server that answered (or closed) mid-upload makes the rest of the write wait forever or fail: that is its
    // answer, not an error, and the caller looks at it.
    if (!this.socket.write(data)) await Promise.race([once(this.socket, 'drain'), once(this.socket, 'progress')]).catch(() => undefined);
  }

  /** Resolves once what the server sent matches `pattern` (with the match), or rejects when the connection closes first. */
  async until(pattern: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const found = pattern.exec(this.text);
      if (found) return found;
      if (this.closed) throw new Error(`the connection closed before ${String(pattern)}; the server sent: ${JSON.stringify(this.text.slice(0, 500))}`);
      await once(this.socket, 'progress').catch(() => undefined);
    }
  }

  /** Resolves when the server has closed the connection. */
  async untilClosed(): Promise<string> {
    while (!this.closed) await once(this.socket, 'progress').catch(() => undefined);
    return this.text;
  }

  /** Leaves abruptly (a reset), as a client that gave up mid-upload. */
  destroy(): void {
    this.socket.resetAndDestroy();
  }

  end(): void {
    this.socket.end();
  }
}

/** Sends `text` on a new connection and resolves with all the server sent once it closed the connection. */
export async function rawExchange(url: string, text: string | Buffer): Promise<string> {
  const connection = new RawConnection(url);
  await connection.write(text);
  return connection.untilClosed();
}

/** The status code of the first (final or interim) response in `text`. */
export function statusOf(text: string): number {
  const found = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!found) throw new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  return Number(found[1]);
}
