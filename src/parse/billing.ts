import { show } from '../problems.js';
import { isIntrinsic, isRecord, own } from '../template/json.js';
import type { TemplateView } from '../template/view.js';

/**
 * A table's billing mode as the rules can know it: written out, left out (PROVISIONED, the default), or `!Ref` to
 * a parameter whose value the request carries (the command line fills parameters' Defaults). `mode` is undefined
 * when only CloudFormation will know it (`!If`, a parameter without a value, another function); `words` says where
 * the mode comes from, for messages, never with a NoEcho parameter's value.
 */
export interface BillingMode {
  readonly mode: unknown;
  readonly words: string;
  readonly source: 'default' | 'written' | 'parameter' | 'unknown';
}

export function resolveBillingMode(
  written: unknown,
  parameterValues: Readonly<Record<string, unknown>>,
  view: TemplateView,
): BillingMode {
  if (written === undefined)
    return { mode: 'PROVISIONED', words: 'PROVISIONED, the default', source: 'default' };
  if (!isIntrinsic(written)) return { mode: written, words: show(written), source: 'written' };
  const ref = isRecord(written) ? written.Ref : undefined;
  const isParameter = typeof ref === 'string' && view.parameters.has(ref);
  const given = isParameter ? own(parameterValues, ref) : undefined;
  if (isParameter && given !== undefined) {
    // A NoEcho value never goes into a message: CloudFormation shows the macro's error to anyone.
    const value = view.noEcho.has(ref) ? '(NoEcho)' : show(given);
    return { mode: given, words: `parameter ${ref}, ${value} in this request`, source: 'parameter' };
  }
  const words =
    typeof ref === 'string'
      ? isParameter
        ? `parameter ${ref}, whose value the request does not carry`
        : `Ref ${show(ref)}`
      : `a function (${Object.keys(written as Record<string, unknown>)[0] ?? ''})`;
  return { mode: undefined, words, source: 'unknown' };
}
