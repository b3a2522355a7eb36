// argv → command → exit code. Placeholder dispatcher until the CLI lands (issue 4).
export const main = async (argv: readonly string[]): Promise<number> => {
  if (argv[0] === 'version' && argv[1] === 'quiet') {
    process.stdout.write('0.1.0\n');
    return 0;
  }
  process.stderr.write('kubefwd: not built yet\n');
  return 1;
};
