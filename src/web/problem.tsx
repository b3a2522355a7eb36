// An error as the registry words it: message, code and the next step to try.
import type { JSX } from 'preact';
import type { ApiProblem } from './api.js';

export const ProblemBox = ({ problem }: { problem: ApiProblem | undefined }): JSX.Element | null =>
  problem ? (
    <div class="problem-box" role="alert">
      <strong>{problem.message}</strong> <code>{problem.code}</code>
      {problem.hint !== '' && <div class="hint">{problem.hint}</div>}
    </div>
  ) : null;
