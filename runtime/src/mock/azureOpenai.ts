// Azure OpenAI's wire format (`mock://azure-openai`): /openai/deployments/{deployment}/chat/completions and
// /embeddings with `?api-version=`, the key in `api-key` (or an Entra ID bearer token), Azure's error bodies
// (`{"error":{"code":"401","message":...}}`) and content filter results on answers and stream chunks.
import * as bodies from './openaiBodies';
import { chatAnswer } from './openai';
import { forcedStatus } from './options';
import { headerValue, sendJson, type MockExchange } from './wire';

const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;
const SAFE = { filtered: false, severity: 'safe' };
const CONTENT_FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const ACCESS_DENIED =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';

export async function serveAzureOpenAI(ex: MockExchange): Promise<void> {
  const { knobs } = ex;
  const match = DEPLOYMENT_PATH.exec(ex.path);
  const apiVersion = ex.query.get('api-version');
  if (!match || ex.method !== 'POST' || !apiVersion) return sendJson(ex.res, 404, azureError(404, 'Resource not found'), knobs);
  const key = headerValue(ex.req, 'api-key');
  const bearer = headerValue(ex.req, 'authorization')?.startsWith('Bearer ');
  if (ex.options.apiKey !== undefined ? key !== ex.options.apiKey : !key && !bearer) return sendJson(ex.res, 401, azureError(401, ACCESS_DENIED), knobs);
  const forced = forcedStatus(knobs);
  if (forced !== undefined)
    return sendJson(
      ex.res,
      forced,
      azureError(forced, `Requests to the deployment have been answered ${forced} by the mock as asked (api-version ${apiVersion}).`),
      knobs,
    );
  if (!ex.body)
    return sendJson(
      ex.res,
      400,
      {
        error: {
          message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
      knobs,
    );
  const deployment = decodeURIComponent(match[1] ?? '');
  const model = bodies.modelOf(ex.body, deployment);
  if (match[2] === 'embeddings') return sendJson(ex.res, 200, bodies.embeddings({ ...ex.body, model }), knobs);
  if (!Array.isArray(ex.body.messages) || ex.body.messages.length === 0) {
    return sendJson(
      ex.res,
      400,
      { error: { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' } },
      knobs,
    );
  }
  return chatAnswer(ex, model, {
    answer: (answer) => ({ ...answer, prompt_filter_results: promptFilterResults(), choices: withFilterResults((answer as { choices: object[] }).choices) }),
    chunk: (chunk) => ({ ...chunk, choices: withFilterResults((chunk as { choices: object[] }).choices) }),
    // Azure's streams open with a chunk that has no choices, only the prompt's filter results.
    firstChunks: [{ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: promptFilterResults() }],
  });
}

function promptFilterResults(): object[] {
  return [{ prompt_index: 0, content_filter_results: CONTENT_FILTER_RESULTS }];
}

function withFilterResults(choices: object[]): object[] {
  return choices.map((choice) => ({ ...choice, content_filter_results: CONTENT_FILTER_RESULTS }));
}

export function azureError(status: number, message: string): object {
  return { error: { code: String(status), message } };
}
