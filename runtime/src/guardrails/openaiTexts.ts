// Where the text is in OpenAI-shaped bodies (the gateway's front door): each place is a slot the guardrails read
// and may rewrite. Requests: chat message content (strings and text parts), tool call arguments, tool results,
// completions `prompt`, embeddings `input`, Responses `input` and `instructions`. Answers: each choice's message
// content and tool call arguments, or its completion text.

type Json = Record<string, unknown>;

export interface TextSlot {
  holder: Json | unknown[];
  key: string | number;
  text: string;
  /** Where, for logs and traces: `messages[1].content`, `input[0]`. */
  where: string;
  /** Tool call arguments are JSON text: a value put back into them must be escaped. */
  json: boolean;
}

/** The body's texts, or an error when it holds input the guardrails cannot read (token ids instead of text). */
export type RequestTexts = { slots: TextSlot[]; messages: number } | { unreadable: string };

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

function stringSlot(out: TextSlot[], holder: Json | unknown[], key: string | number, where: string, json = false): void {
  const text = (holder as Record<string | number, unknown>)[key];
  if (typeof text === 'string' && text !== '') out.push({ holder, key, text, where, json });
}

function contentSlots(out: TextSlot[], message: Json, where: string): void {
  const content = message.content;
  if (typeof content === 'string') stringSlot(out, message, 'content', `${where}.content`);
  else if (Array.isArray(content)) {
    content.forEach((part, j) => {
      if (isObject(part) && typeof part.text === 'string') stringSlot(out, part, 'text', `${where}.content[${j}].text`);
    });
  }
}

function toolCallSlots(out: TextSlot[], message: Json, where: string): void {
  if (Array.isArray(message.tool_calls)) {
    message.tool_calls.forEach((call, j) => {
      const fn = isObject(call) ? call.function : undefined;
      if (isObject(fn)) stringSlot(out, fn, 'arguments', `${where}.tool_calls[${j}].function.arguments`, true);
    });
  }
  if (isObject(message.function_call)) stringSlot(out, message.function_call, 'arguments', `${where}.function_call.arguments`, true);
}

/** The items of a list input (`prompt`, `input`); an error text when it holds token ids. */
function listSlots(out: TextSlot[], value: unknown, name: string): string | undefined {
  if (!Array.isArray(value)) return undefined;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item === 'string') stringSlot(out, value, i, `${name}[${i}]`);
    else if (typeof item === 'number' || Array.isArray(item)) return `"${name}" holds token ids, which this route's guardrails cannot read: send text`;
    else if (isObject(item)) {
      contentSlots(out, item, `${name}[${i}]`);
      toolCallSlots(out, item, `${name}[${i}]`);
      if (typeof item.output === 'string') stringSlot(out, item, 'output', `${name}[${i}].output`); // Responses function_call_output
      if (typeof item.arguments === 'string') stringSlot(out, item, 'arguments', `${name}[${i}].arguments`, true);
    }
  }
  return undefined;
}

export function requestTexts(body: Json): RequestTexts {
  const slots: TextSlot[] = [];
  let messages = 0;
  if (Array.isArray(body.messages)) {
    body.messages.forEach((message, i) => {
      if (!isObject(message)) return;
      messages++;
      contentSlots(slots, message, `messages[${i}]`);
      toolCallSlots(slots, message, `messages[${i}]`);
    });
  }
  for (const name of ['prompt', 'input', 'instructions'] as const) {
    const value = body[name];
    if (typeof value === 'string') stringSlot(slots, body, name, name);
    else {
      const unreadable = listSlots(slots, value, name);
      if (unreadable) return { unreadable };
    }
  }
  return { slots, messages };
}

/** The texts of a whole (not streamed) answer. */
export function answerTexts(body: Json): TextSlot[] {
  const slots: TextSlot[] = [];
  if (!Array.isArray(body.choices)) return slots;
  body.choices.forEach((choice, i) => {
    if (!isObject(choice)) return;
    if (isObject(choice.message)) {
      contentSlots(slots, choice.message, `choices[${i}].message`);
      toolCallSlots(slots, choice.message, `choices[${i}].message`);
    }
    stringSlot(slots, choice, 'text', `choices[${i}].text`);
  });
  return slots;
}

export function writeSlot(slot: TextSlot, text: string): void {
  (slot.holder as Record<string | number, unknown>)[slot.key] = text;
  slot.text = text;
}
