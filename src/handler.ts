import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, Handler } from 'aws-lambda';
import { lazyFinder, loadAwsFinder } from './lookup/lazy.js';
import type { TableFinder } from './lookup/port.js';
import { cut, formatProblems, type Problem, problem } from './problems.js';
import { isRecord } from './template/json.js';
import { type TransformResult, transform } from './transform.js';

/** The request CloudFormation sends a macro; the handler checks every field, as if it could be anything. */
interface MacroEvent {
  readonly region: string;
  readonly accountId: string;
  readonly fragment: unknown;
  readonly transformId: string;
  readonly params: unknown;
  readonly requestId: string;
  readonly templateParameterValues: Record<string, unknown>;
}

export interface MacroResponse {
  readonly requestId: string;
  readonly status: 'success' | 'failure';
  /** The processed template; a failure has none. */
  readonly fragment?: unknown;
  readonly errorMessage?: string;
}

export interface HandlerDependencies {
  /** Called at most once per container, and only for a template that has lookups. */
  readonly createFinder: () => Promise<TableFinder>;
  /** One structured line per request; awaited, so a line is written before the response is returned. */
  readonly logger: {
    info(message: string, data: Record<string, unknown>): unknown;
    error(message: string, data: Record<string, unknown>): unknown;
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * How long the lookups may take, from what Lambda says is left: a quarter of it (at least 3 s) stays free to build
 * and return the answer, so the function answers (with LOOKUP_TIMEOUT if it must) before Lambda stops it.
 */
export function lookupDeadline(
  now: number,
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
): number | undefined {
  if (!context || typeof context.getRemainingTimeInMillis !== 'function') return undefined;
  const left = context.getRemainingTimeInMillis();
  if (!Number.isFinite(left)) return undefined;
  return now + Math.max(0, Math.min(left - 3_000, left * 0.75));
}

/** The macro's Lambda handler: the event CloudFormation sends, and Lambda's context for the time left. */
export type MacroHandler = (event: unknown, context?: Context) => Promise<MacroResponse>;

/** Problems the log line of a failed request lists; the rest are counted. */
const LOGGED_PROBLEMS = 1_000;

/** One request as the handler answers and logs it. */
interface Call {
  readonly requestId: string;
  /** The request's names for the log, cut: a direct invoke may send megabytes in any of them. */
  readonly base: { readonly requestId: string; readonly transformId: string; readonly region: string };
  readonly started: number;
  readonly logger: HandlerDependencies['logger'];
}

/** The Lambda edge: event in, response out. The only place that catches and logs; it never throws. */
export function createHandler(dependencies: HandlerDependencies): MacroHandler {
  const finder = lazyFinder(dependencies.createFinder);
  return async (event: unknown, context?: Context): Promise<MacroResponse> => {
    // Date, not `performance`: the global `performance` loads node:perf_hooks on first use, about 1 ms of a cold start.
    const started = Date.now();
    const request = isRecord(event) ? event : {};
    const requestId = text(request.requestId);
    const base = {
      requestId: cut(requestId),
      transformId: cut(text(request.transformId)),
      region: cut(text(request.region)),
    };
    const call: Call = { requestId, base, started, logger: dependencies.logger };
    try {
      const parameterValues = isRecord(request.templateParameterValues)
        ? request.templateParameterValues
        : {};
      const result = await transform(
        {
          fragment: request.fragment,
          parameters: request.params,
          templateParameterValues: parameterValues,
          region: base.region,
          accountId: text(request.accountId) || undefined,
          deadline: lookupDeadline(started, context),
        },
        finder,
      );
      return await answer(result, call);
    } catch (error) {
      return await internalError(error, call);
    }
  };
}

/** The transform's result as CloudFormation takes it, logged. */
async function answer(result: TransformResult, call: Call): Promise<MacroResponse> {
  const durationMs = Date.now() - call.started;
  if (result.ok) {
    await call.logger.info('transformed', { ...call.base, status: 'success', ...result.summary, durationMs });
    return { requestId: call.requestId, status: 'success', fragment: result.template };
  }
  await call.logger.info('rejected', {
    ...call.base,
    status: 'failure',
    ...result.summary,
    durationMs,
    // Every problem up to LOGGED_PROBLEMS (each at most about 1 KB), then how many more.
    problemList: formatProblems(result.problems, LOGGED_PROBLEMS).split('\n'),
  });
  return failure(result.problems, call);
}

async function internalError(error: unknown, call: Call): Promise<MacroResponse> {
  await call.logger.error('internal error', {
    ...call.base,
    status: 'failure',
    error: error instanceof Error ? error : 'a thrown value that is not an Error',
  });
  return failure(
    [
      problem(
        'INTERNAL_ERROR',
        '',
        `the macro failed unexpectedly (request ${call.requestId}); the template was not changed`,
      ),
    ],
    call,
  );
}

/**
 * A failure's answer: no fragment. CloudFormation takes a fragment only from a success ("Create a CloudFormation
 * macro definition", response format) and shows a failure's errorMessage; echoing the request's template made a
 * failure as large as the request plus its message, past Lambda's 6 MB response limit, and a template nested past
 * the limits could not be serialised at all. The message is at most 26 lines of at most about 1 KB.
 */
function failure(problems: readonly Problem[], call: Call): MacroResponse {
  return { requestId: call.requestId, status: 'failure', errorMessage: formatProblems(problems) };
}

/**
 * Powertools Logger, created on the first log line: loading it (and node:crypto) is left out of the cold start's
 * import, and the handler awaits each line, so nothing is lost when Lambda freezes the process.
 */
function lazyLogger(): HandlerDependencies['logger'] {
  let logger: Promise<Logger> | undefined;
  const get = (): Promise<Logger> => {
    // The level comes from POWERTOOLS_LOG_LEVEL (INFO unless set), so a benchmark or a test can silence it.
    logger ??= import('@aws-lambda-powertools/logger').then(
      ({ Logger }) => new Logger({ serviceName: 'composex-dynamodb' }),
    );
    return logger;
  };
  return {
    info: async (message, data) => (await get()).info(message, data),
    error: async (message, data) => (await get()).error(message, data),
  };
}

/** The Lambda handler; it takes what `@types/aws-lambda` says a handler takes. */
export const handler = createHandler({
  createFinder: loadAwsFinder,
  logger: lazyLogger(),
}) satisfies Handler<MacroEvent, MacroResponse>;
