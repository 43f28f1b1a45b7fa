// What the language service keeps per document so that the check of its next version re-uses what an edit left alone:
// the parse cache (the chunks of the text, with their nodes) and the config model's memo (the data, schema errors and
// findings of those nodes). A document's first version is checked without the memo: nothing in it can be re-used
// yet, and filling it would only slow the open. `primeSteps` fills it afterwards, while the user reads, with a check
// of that same version (its nodes are the chunks' nodes, so the check parses nothing again), and the first edit is
// then as quick as the ones after it.
import { CheckMemo, checkConfigSteps, YamlParseCache, type LoadOptions, type Steps } from '../../../common/src/config';

export class DocumentChecks {
  private readonly parseCache = new YamlParseCache();
  private readonly memo = new CheckMemo();
  private started = 0;

  /** The parse cache, and the memo from the second check on. */
  options(): Pick<LoadOptions, 'parseCache' | 'memo'> {
    return this.started++ === 0 ? { parseCache: this.parseCache } : { parseCache: this.parseCache, memo: this.memo };
  }

  /** The check of `text` (the version checked first) that fills the memo; undefined once another check has run. */
  primeSteps(text: string, env: Record<string, string | undefined>): Steps<unknown> | undefined {
    if (this.started !== 1) return undefined;
    return checkConfigSteps(text, { env, mode: 'editor', ...this.options() }, true);
  }
}
