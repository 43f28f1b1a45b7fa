// A provider credential the gateway holds: read from the environment when the config is loaded, handed to the
// runtime's adapters through `reveal()`, and shown as `<held>` by everything else (JSON, util.inspect, string
// conversion), so a log line, an admin view, an LSP message or an error that prints a config cannot carry the key.

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CredentialValues {
  /** apiKeyEnv's value. */
  apiKey?: string;
  /** Bedrock without apiKeyEnv: the standard AWS variables. */
  aws?: AwsKeys;
}

const SHOWN = '<held>';

export class HeldCredential {
  readonly #values: CredentialValues;

  constructor(values: CredentialValues) {
    this.#values = values;
  }

  /** The values themselves: only for placing them on an upstream request. */
  reveal(): CredentialValues {
    return this.#values;
  }

  toJSON(): string {
    return SHOWN;
  }

  toString(): string {
    return SHOWN;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return SHOWN;
  }
}
