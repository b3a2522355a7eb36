// `kubefwd completion bash|zsh|fish|powershell`: prints the completion script for a shell, or how
// to install one (the shells cobra's kubefwd offers; powershell for Windows).
import { KubefwdError } from '../../contract/errors.js';
import { reportError } from '../errors.js';
import type { CliIo } from '../io.js';
import { SHELLS } from './complete.js';
import { PROGRAM, bashScript, fishScript, powershellScript, zshScript } from './scripts.js';

export const COMPLETION_USAGE = `Usage: ${PROGRAM} completion bash|zsh|fish|powershell

Prints a shell completion script. It completes commands and flags, the contexts of your kubeconfig
(-x), the namespaces of the cluster (-n, asked with a 2 s deadline, nothing if it does not answer),
the values of --transport and --theme, and file paths (-c, -z, --hosts-path).

bash:
  source <(${PROGRAM} completion bash)                  # this shell
  ${PROGRAM} completion bash > ~/.local/share/bash-completion/completions/${PROGRAM}
                                                      # every shell, with the bash-completion package;
                                                      # else put the source line in ~/.bashrc

zsh:
  source <(${PROGRAM} completion zsh)                   # this shell (after compinit)
  mkdir -p ~/.zsh/completions                         # every shell: a directory in $fpath,
  ${PROGRAM} completion zsh > ~/.zsh/completions/_${PROGRAM}  # then in ~/.zshrc, before compinit:
                                                      #   fpath=(~/.zsh/completions $fpath)
                                                      #   autoload -U compinit && compinit

fish:
  ${PROGRAM} completion fish | source                   # this shell
  ${PROGRAM} completion fish > ~/.config/fish/completions/${PROGRAM}.fish   # every shell

powershell:
  ${PROGRAM} completion powershell | Out-String | Invoke-Expression   # this shell
  ${PROGRAM} completion powershell >> $PROFILE                        # every shell
`;

const SCRIPTS: Record<(typeof SHELLS)[number], () => string> = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
  powershell: powershellScript,
};

const isShell = (s: string): s is (typeof SHELLS)[number] => (SHELLS as readonly string[]).includes(s);

export const runCompletionCommand = (argv: readonly string[], io: CliIo): number => {
  const [shell, ...extra] = argv;
  if (shell === undefined || shell === '-h' || shell === '--help' || shell === 'help') {
    io.stdout.write(COMPLETION_USAGE);
    return 0;
  }
  if (!isShell(shell))
    return reportError(
      io,
      new KubefwdError('INVALID_INPUT', `unsupported shell "${shell}" for \`${PROGRAM} completion\``, {
        field: 'shell',
        hint: `Supported shells: ${SHELLS.join(', ')} (run \`${PROGRAM} completion --help\` for how to install).`,
      }),
    );
  if (extra.length > 0)
    return reportError(
      io,
      new KubefwdError('INVALID_INPUT', `unexpected argument(s) after the shell: ${extra.join(' ')}`, {
        field: 'shell',
        hint: `Run \`${PROGRAM} completion ${shell}\` with nothing after the shell.`,
      }),
    );
  io.stdout.write(SCRIPTS[shell]());
  return 0;
};
