// The one owner of the config a gateway runs from its file: the YAML text and the config built from it. Every
// change, whatever brought it (a save of the file, the admin API, another replica), goes through one queue and
// one apply: validated by the config model, applied to the runtime, written back to the file unless it came from
// there, then announced as `applied`, or as `rejected` while the last good config keeps running. The watcher reads
// the file inside the same queue, so the store's own writes arrive as the text that already runs. A change never
// overwrites a hand edit the store has not read: it is refused (409), and the watcher applies the edit.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readConfigFile, type LoadOptions } from '../../../common/src/config';
import type { Diagnostic, GatewayConfig, GatewaySettings } from '../../../common/src/config';
import type { RestartOnlyChange } from '../gateway/restartOnlySettings';
import { writeFileAtomic } from '../../../common/src/atomicWrite';
import { TypedEmitter } from '../gateway/typedEmitter';
import { routeChanges, type AppliedChange, type ChangeSource, type ConfigPublication, type ConfigStoreEvents } from './changes';
import type { RawConfig } from './configEdits';
import { ConfigApplyError, ConfigChangedError, ConfigConflictError, ConfigInvalidError, ConfigReadOnlyError } from './errors';
import { OffThreadCheck } from './offThreadCheck';
import { yamlData, yamlWithChanges } from './yamlPatch';

export interface ConfigStoreOptions {
  /** The file the config was loaded from: watched, and written back to. */
  file: string;
  /** The options the gateway loaded the file with (mode 'start', env, baseDir). */
  load: LoadOptions;
  /** Compiles and swaps in a config (the runtime and its listener); throwing refuses the change. */
  apply(config: GatewayConfig, source: ChangeSource): Promise<{ version: number }>;
  /** gateway.admin.readOnly: the admin API may not change the config. */
  readOnly?: boolean;
  /** The settings the process started with: a change to one that only a restart applies becomes a warning. */
  running?: GatewaySettings;
  /** Runs the config model off the event loop; one is made when absent. */
  checker?: OffThreadCheck;
}

export type ConfigFormat = 'yaml' | 'json';

interface Candidate {
  config: GatewayConfig;
  warnings: Diagnostic[];
  restart: RestartOnlyChange[];
}

interface ChangeOptions {
  /** Write the text to the file: every change that did not come from the file. */
  write: boolean;
  /** A text that already runs is no change: nothing is applied or announced. */
  skipIfRunning?: boolean;
  /** Sees the validated candidate before anything is applied, and may refuse it by throwing. */
  check?(candidate: Candidate): void;
  publication?: ConfigPublication;
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class ConfigStore {
  readonly events = new TypedEmitter<ConfigStoreEvents>();
  private currentText: string;
  private currentConfig: GatewayConfig;
  private currentHash: string;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly checker: OffThreadCheck;

  constructor(
    text: string,
    config: GatewayConfig,
    private readonly options: ConfigStoreOptions,
  ) {
    this.currentText = text;
    this.currentConfig = config;
    this.currentHash = contentHash(text);
    this.checker = options.checker ?? new OffThreadCheck();
  }

  get text(): string {
    return this.currentText;
  }

  get config(): GatewayConfig {
    return this.currentConfig;
  }

  get hash(): string {
    return this.currentHash;
  }

  get file(): string {
    return this.options.file;
  }

  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  /**
   * The file changed on disk: applies what it holds now unless that already runs; resolves to whether it applied.
   * An empty file is a save caught between its truncation and its write (the write's own event follows), so it is
   * no change: a gateway told to serve nothing reads `routes: []`.
   */
  reloadFile(): Promise<boolean> {
    const read = async (): Promise<string> => {
      const file = await readConfigFile(this.options.file); // one over MAX_CONFIG_BYTES is refused unread
      if ('tooLarge' in file) throw new ConfigInvalidError([file.tooLarge], '');
      return file.text.trim() === '' ? this.currentText : file.text;
    };
    const changed = this.change('file', read, { write: false, skipIfRunning: true });
    return changed.then(
      (applied) => applied !== undefined,
      () => false,
    );
  }

  /** A config another replica published (gateway.cluster); resolves to whether it now runs here too. */
  adoptPublished(text: string, publication: ConfigPublication): Promise<boolean> {
    const changed = this.change('cluster', () => text, { write: true, skipIfRunning: true, publication });
    return changed.then(
      (applied) => applied !== undefined,
      () => false,
    );
  }

  /**
   * Changes the config's plain data (see configEdits.ts), keeping the rest of the file as the user wrote it.
   * `check` sees the validated result before anything is applied and may refuse it by throwing.
   */
  edit(change: (data: RawConfig) => RawConfig, check?: (candidate: Candidate) => void): Promise<AppliedChange> {
    const produce = (): string => {
      this.refuseIfReadOnly();
      return yamlWithChanges(this.currentText, change(yamlData(this.currentText) as RawConfig));
    };
    return this.change('admin-api', produce, { write: true, check });
  }

  /**
   * Replaces the whole config. YAML is written as given; JSON (data, not text) is merged into the current file
   * so its comments survive. Diagnostics point into the body that was sent. `expectedHash` (If-Match) refuses
   * the change when the config is no longer the one the client read.
   */
  replace(body: string, format: ConfigFormat, expectedHash?: string): Promise<AppliedChange> {
    const produce = async (): Promise<string> => {
      this.refuseIfReadOnly();
      if (expectedHash !== undefined && expectedHash !== this.currentHash) throw new ConfigChangedError();
      if (format === 'yaml') return body;
      // Validated before the YAML patch parses it on this thread: diagnostics point into the body that was sent.
      await this.validate(body);
      return yamlWithChanges(this.currentText, yamlData(body));
    };
    return this.change('admin-api', produce, { write: true });
  }

  /** The one path: queued behind every other change, then validated, applied, written and announced. */
  private change(
    source: ChangeSource,
    produce: () => string | Promise<string>,
    options: ChangeOptions & { skipIfRunning: true },
  ): Promise<AppliedChange | undefined>;
  private change(source: ChangeSource, produce: () => string | Promise<string>, options: ChangeOptions): Promise<AppliedChange>;
  private change(source: ChangeSource, produce: () => string | Promise<string>, options: ChangeOptions): Promise<AppliedChange | undefined> {
    const publication = options.publication ? { publication: options.publication } : {};
    const work = async (): Promise<AppliedChange | undefined> => {
      try {
        const text = await produce();
        if (options.skipIfRunning && contentHash(text) === this.currentHash) return undefined;
        const applied = await this.commit(source, text, options);
        this.events.emit('applied', { ...applied, ...publication });
        return applied;
      } catch (err) {
        this.events.emit('rejected', { source, error: err instanceof Error ? err : new Error(String(err)), diagnostics: diagnosticsOf(err), ...publication });
        throw err;
      }
    };
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async commit(source: ChangeSource, text: string, options: ChangeOptions): Promise<AppliedChange> {
    const candidate = await this.validate(text);
    options.check?.(candidate);
    const previous = this.currentConfig;
    if (options.write) await this.refuseIfEditedByHand();
    let version: number;
    try {
      ({ version } = await this.options.apply(candidate.config, source));
    } catch (err) {
      throw new ConfigApplyError(`The gateway could not apply the change: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (options.write) {
      try {
        await this.refuseIfEditedByHand(); // saved by hand while the change was being applied
        await writeFileAtomic(this.options.file, text);
      } catch (err) {
        await this.options.apply(previous, source); // the file keeps the old config, so the runtime goes back to it
        throw err;
      }
    }
    this.currentText = text;
    this.currentHash = contentHash(text);
    this.currentConfig = candidate.config;
    return {
      source,
      text,
      config: candidate.config,
      version,
      warnings: candidate.warnings,
      restart: candidate.restart,
      routes: routeChanges(previous, candidate.config),
    };
  }

  private refuseIfReadOnly(): void {
    if (this.options.readOnly) throw new ConfigReadOnlyError();
  }

  /** Closes the worker thread the config model runs on. */
  close(): Promise<void> {
    return this.checker.close();
  }

  /** The config model on the checker's worker thread: a large config never holds up the requests being served. */
  private async validate(text: string): Promise<Candidate> {
    const { config, diagnostics, restartWarnings, restart } = await this.checker.check(text, this.options.load, this.options.running);
    if (!config) throw new ConfigInvalidError(diagnostics, text);
    return { config, warnings: [...diagnostics.filter((d) => d.severity !== 'error'), ...restartWarnings], restart };
  }

  private async refuseIfEditedByHand(): Promise<void> {
    const file = this.options.file;
    let onDisk: string;
    try {
      onDisk = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConfigConflictError(file, 'was deleted');
      throw err;
    }
    if (contentHash(onDisk) !== this.currentHash) throw new ConfigConflictError(file, 'was edited');
  }
}

/** The errors of a refused change, for those who cannot read the exception (the log, webhooks, the editor). */
function diagnosticsOf(err: unknown): Diagnostic[] {
  if (err instanceof ConfigInvalidError) return err.errors;
  if (!(err instanceof ConfigApplyError)) return [];
  const start = { line: 0, character: 0 };
  return [{ range: { start, end: start }, severity: 'error', code: 'runtime.apply', message: err.message, path: [] }];
}
