// The last 50 test requests of this workspace (what was sent and how it went), for re-sending. Credentials are
// not part of a spec, so they never reach the history.
import type * as vscode from 'vscode';
import type { TestRequestSpec } from './requestTemplate';

export interface HistoryEntry {
  id: string;
  at: number;
  spec: TestRequestSpec;
  status?: number;
  totalMs?: number;
  error?: string;
}

const storageKey = 'aiGateway.testRequestHistory';
export const historyLimit = 50;

export class RequestHistory {
  constructor(private readonly state: vscode.Memento) {}

  entries(): HistoryEntry[] {
    return this.state.get<HistoryEntry[]>(storageKey, []);
  }

  async add(entry: HistoryEntry): Promise<HistoryEntry[]> {
    const next = [entry, ...this.entries().filter((e) => e.id !== entry.id)].slice(0, historyLimit);
    await this.state.update(storageKey, next);
    return next;
  }

  find(id: string): HistoryEntry | undefined {
    return this.entries().find((e) => e.id === id);
  }
}
