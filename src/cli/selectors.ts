// Early checks of -l/-f so a typo is one clear line before anything starts, instead of a 400 from
// the API server in the middle of a run. The grammar is Kubernetes' (src/wire/selectors.ts).
import { KubefwdError } from '../contract/errors.js';
import { SelectorError, parseFieldSelector, parseLabelSelector } from '../wire/selectors.js';

const check = (
  parse: (s: string) => unknown,
  kind: 'label' | 'field',
  selector: string,
  flag: string,
  hint: string,
): void => {
  try {
    parse(selector);
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    throw new KubefwdError(
      'INVALID_INPUT',
      `invalid ${kind} selector "${selector}" for ${flag}: cannot parse "${err.part}"`,
      { field: flag, hint },
    );
  }
};

/** Throws INVALID_INPUT naming the flag and the bad part. Empty is fine (no selector). */
export const validateLabelSelector = (selector: string, flag = '--selector'): void =>
  check(
    parseLabelSelector,
    'label',
    selector,
    flag,
    'Use key=value, key!=value, key in (a,b), key notin (a,b), key or !key, separated by commas.',
  );

export const validateFieldSelector = (selector: string, flag = '--field-selector'): void =>
  check(
    parseFieldSelector,
    'field',
    selector,
    flag,
    'Use field=value or field!=value separated by commas, e.g. metadata.name=api-gateway.',
  );
