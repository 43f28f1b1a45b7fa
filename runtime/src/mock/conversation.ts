// What the mock answers, whatever format it speaks: a deterministic reply, a call of an offered tool, or a reply
// to a tool's result; cut short by max tokens or a stop sequence the way a model would be. Each provider format
// reads its request into a MockTurn and writes the MockReply in its own shape.

export const MOCK_REPLY = 'Hello from the AI gateway mock backend. This reply is deterministic.';

export interface MockTool {
  name: string;
  /** JSON Schema of the arguments; the call's arguments are derived from it. */
  schema: unknown;
}

export type MockToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface MockTurn {
  /** What prompt tokens are counted from. */
  prompt: unknown;
  tools: MockTool[];
  toolChoice: MockToolChoice;
  /** The text of the tool result the conversation ends with, if it ends with one. */
  toolResult?: string;
  maxTokens?: number;
  stop?: string[];
}

export interface MockToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** The arguments' JSON, in the pieces a stream sends them in. */
  argumentDeltas: string[];
}

export interface MockReply {
  text: string;
  /** The text in the pieces a stream sends it in (one "token" each). */
  deltas: string[];
  toolCall?: MockToolCall;
  finish: 'stop' | 'length' | 'tool_calls' | 'stop_sequence';
  stopSequence?: string;
  /** `prompt` includes `cached`. */
  usage: { prompt: number; completion: number; cached: number };
}

/** A rough token count (4 characters a token), enough for usage-based limits to have something to count. */
export function countTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return Math.max(1, Math.ceil(text.length / 4));
}

const MOCK_REPLY_WORDS = Object.freeze(MOCK_REPLY.split(/(?<= )/));

export function replyWords(text = MOCK_REPLY): string[] {
  if (text === MOCK_REPLY) return [...MOCK_REPLY_WORDS]; // the common case, split once
  return text === '' ? [] : text.split(/(?<= )/);
}

export function planReply(turn: MockTurn, cachedTokens: number): MockReply {
  const prompt = countTokens(turn.prompt);
  const cached = Math.min(Math.max(0, Math.floor(cachedTokens)), prompt);
  const tool = chosenTool(turn);
  if (tool) {
    const args = argumentsFor(tool.schema);
    const json = JSON.stringify(args);
    const cut = Math.ceil(json.length / 2);
    return {
      text: '',
      deltas: [],
      toolCall: { name: tool.name, arguments: args, argumentDeltas: [json.slice(0, cut), json.slice(cut)].filter((piece) => piece !== '') },
      finish: 'tool_calls',
      usage: { prompt, completion: countTokens(json), cached },
    };
  }
  let text = turn.toolResult === undefined ? MOCK_REPLY : `The tool answered: ${turn.toolResult.slice(0, 200)}`;
  let finish: MockReply['finish'] = 'stop';
  let stopSequence: string | undefined;
  for (const stop of turn.stop ?? []) {
    const at = stop === '' ? -1 : text.indexOf(stop);
    if (at >= 0) {
      text = text.slice(0, at);
      finish = 'stop_sequence';
      stopSequence = stop;
    }
  }
  let deltas = replyWords(text);
  if (turn.maxTokens !== undefined && turn.maxTokens < deltas.length) {
    deltas = deltas.slice(0, Math.max(0, turn.maxTokens));
    text = deltas.join('');
    finish = 'length';
    stopSequence = undefined;
  }
  return { text, deltas, finish, stopSequence, usage: { prompt, completion: deltas.length, cached } };
}

function chosenTool(turn: MockTurn): MockTool | undefined {
  if (turn.tools.length === 0 || turn.toolChoice === 'none') return undefined;
  if (typeof turn.toolChoice === 'object') {
    const name = turn.toolChoice.name;
    return turn.tools.find((tool) => tool.name === name);
  }
  if (turn.toolChoice === 'auto' && turn.toolResult !== undefined) return undefined; // answer the result instead
  return turn.tools[0];
}

/** Arguments that satisfy a simple schema: the first enum value, "mock", 1, true, [] or {} per property. */
export function argumentsFor(schema: unknown): Record<string, unknown> {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  const args: Record<string, unknown> = {};
  if (!properties || typeof properties !== 'object') return args;
  for (const [name, property] of Object.entries(properties)) args[name] = sampleValue(property);
  return args;
}

function sampleValue(schema: unknown): unknown {
  const typed = (schema ?? {}) as { type?: unknown; enum?: unknown[] };
  if (Array.isArray(typed.enum) && typed.enum.length > 0) return typed.enum[0];
  const type: unknown = Array.isArray(typed.type) ? (typed.type as unknown[])[0] : typed.type;
  switch (typeof type === 'string' ? type.toLowerCase() : 'string') {
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return argumentsFor(schema);
    case 'null':
      return null;
    default:
      return 'mock';
  }
}
