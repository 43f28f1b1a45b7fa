// The config file the gateway runs from, as the one place admin changes go through. A change is made on the
// file's YAML (comments and formatting kept), validated by the config model, applied to the runtime, then
// written atomically, all inside one queue, so concurrent changes never interleave or lose each other.
// It refuses (409) to overwrite a hand edit it has not seen, and tells the file watcher which writes are its own.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadConfig, type LoadOptions } from '../../../common/src/config';
import type { Diagnostic, GatewayConfig, GatewaySettings } from '../../../common/src/config';
import { restartOnlyChanges, restartWarning, type RestartOnlyChange } from '../gateway/restartOnlySettings';
import type { Admin } from '../../../common/src/protocol';
import type { RawConfig } from './configEdits';
import { writeFileAtomic } from '../../../common/src/atomicWrite';
import { ConfigApplyError, ConfigConflictError, ConfigInvalidError, ConfigReadOnlyError } from './errors';
import { yamlData, yamlWithChanges } from './yamlPatch';

export interface ConfigStoreOptions {
  /** The file to write back to; absent when the gateway runs a config given in code (then nothing is written). */
  file?: string;
  /** The options the gateway loaded the file with (mode 'start', env, baseDir). */
  load: LoadOptions;
  /** Compiles and swaps in a config (GatewayRuntime.apply); throwing refuses the change. */
  apply(config: GatewayConfig): Promise<unknown>;
  readOnly?: boolean;
  /** Told the text of each committed change (e.g. to publish it to the other replicas, cluster/clusterConfig.ts). */
  committed?(text: string): void;
  /** The settings the process started with: a change to one that only a restart applies becomes a warning. */
  running?: GatewaySettings;
  /** Told the restart-only settings a committed change sets differently from the running process (to log them). */
  restartRequired?(changes: RestartOnlyChange[]): void;
}

export interface AppliedChange {
  config: GatewayConfig;
  warnings: Diagnostic[];
  routes: Admin.RouteChanges;
}

export type ConfigFormat = 'yaml' | 'json';

interface Checked {
  config: GatewayConfig;
  warnings: Diagnostic[];
  restart: RestartOnlyChange[];
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class ConfigStore {
  private currentText: string;
  private currentConfig: GatewayConfig;
  private currentHash: string;
  private writingHash: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    text: string,
    config: GatewayConfig,
    private readonly options: ConfigStoreOptions,
  ) {
    this.currentText = text;
    this.currentConfig = config;
    this.currentHash = contentHash(text);
  }

  get text(): string {
    return this.currentText;
  }

  get config(): GatewayConfig {
    return this.currentConfig;
  }

  get file(): string | undefined {
    return this.options.file;
  }

  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  /** For the watcher: true when `text` is what already runs (this store's own write, or a touch without change). */
  isCurrentText(text: string): boolean {
    const hash = contentHash(text);
    return hash === this.currentHash || hash === this.writingHash;
  }

  /** For the watcher: a hand edit of the file was applied, so later changes build on it instead of refusing. */
  adopt(text: string, config: GatewayConfig): void {
    this.currentText = text;
    this.currentHash = contentHash(text);
    this.currentConfig = config;
  }

  /** Runs `work` with no change in progress and none starting until it ends (the watcher's reload uses this). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Changes the config's plain data (see configEdits.ts), keeping the rest of the file as the user wrote it.
   * `check` sees the validated result before anything is applied and may refuse it by throwing.
   */
  edit(change: (data: RawConfig) => RawConfig, check?: (candidate: { config: GatewayConfig; warnings: Diagnostic[] }) => void): Promise<AppliedChange> {
    return this.exclusive(async () => {
      this.refuseIfReadOnly();
      const text = yamlWithChanges(this.currentText, change(yamlData(this.currentText) as RawConfig));
      const candidate = this.validate(text);
      check?.(candidate);
      return this.commit(text, candidate);
    });
  }

  /**
   * Replaces the whole config. YAML is written as given; JSON (data, not text) is merged into the current file
   * so its comments survive. Diagnostics point into the body that was sent.
   */
  replace(body: string, format: ConfigFormat): Promise<AppliedChange> {
    return this.exclusive(async () => {
      this.refuseIfReadOnly();
      const checked = this.validate(body);
      if (format === 'yaml') return this.commit(body, checked);
      const text = yamlWithChanges(this.currentText, yamlData(body));
      return this.commit(text, this.validate(text));
    });
  }

  private refuseIfReadOnly(): void {
    if (this.options.readOnly) throw new ConfigReadOnlyError();
  }

  private validate(text: string): Checked {
    const { config, diagnostics, document, lineCounter } = loadConfig(text, this.options.load);
    if (!config) throw new ConfigInvalidError(diagnostics, text);
    const restart = this.options.running ? restartOnlyChanges(this.options.running, config.gateway) : [];
    const warnings = [...diagnostics.filter((d) => d.severity !== 'error'), ...restart.map((change) => restartWarning(change, { document, lineCounter }))];
    return { config, warnings, restart };
  }

  private async commit(text: string, checked: Checked): Promise<AppliedChange> {
    const previous = this.currentConfig;
    await this.refuseIfEditedByHand();
    try {
      await this.options.apply(checked.config);
    } catch (err) {
      throw new ConfigApplyError(`The gateway could not apply the change: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (this.options.file) {
      this.writingHash = contentHash(text);
      try {
        await this.refuseIfEditedByHand();
        await writeFileAtomic(this.options.file, text);
      } catch (err) {
        this.writingHash = undefined;
        await this.options.apply(previous); // the file keeps the old config, so the runtime goes back to it
        throw err;
      }
    }
    this.adopt(text, checked.config);
    this.writingHash = undefined;
    this.options.committed?.(text);
    if (checked.restart.length > 0) this.options.restartRequired?.(checked.restart);
    return { config: checked.config, warnings: checked.warnings, routes: routeChanges(previous, checked.config) };
  }

  private async refuseIfEditedByHand(): Promise<void> {
    const file = this.options.file;
    if (!file) return;
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

/** Routes added, changed and removed between two configs, by name. */
export function routeChanges(before: GatewayConfig, after: GatewayConfig): Admin.RouteChanges {
  const old = new Map(before.routes.map((r) => [r.name, JSON.stringify(r)]));
  const now = new Map(after.routes.map((r) => [r.name, JSON.stringify(r)]));
  return {
    added: [...now.keys()].filter((name) => !old.has(name)),
    changed: [...now.keys()].filter((name) => old.has(name) && old.get(name) !== now.get(name)),
    removed: [...old.keys()].filter((name) => !now.has(name)),
  };
}
