// Fault-injection hooks for the end-to-end tests that run the real executable (they cannot inject a
// dependency into another process, so they set an environment variable). Read here, at the edge,
// and passed to the daemon as ordinary options: the daemon itself reads no test variables.
import type { RunDaemonOptions } from '../daemon/daemon.js';

const ms = (text: string | undefined): number => {
  const n = Number(text ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
};

export const testHooks = (
  env: NodeJS.ProcessEnv,
): Pick<RunDaemonOptions, 'hostsWriteDelayMs' | 'beforeShutdown' | 'onStarted' | 'pauseCheckMs'> => {
  const writeDelay = ms(env.KUBEFWD_TEST_HOSTS_WRITE_DELAY_MS);
  const slowShutdown = ms(env.KUBEFWD_TEST_SLOW_SHUTDOWN_MS);
  // A pause (SIGSTOP) this long counts as a sleep of the machine: connections are proved after it.
  const pauseCheck = ms(env.KUBEFWD_TEST_PAUSE_CHECK_MS);
  // A bug nothing catches, thrown from a timer once the daemon runs.
  const crash = ms(env.KUBEFWD_TEST_THROW_AFTER_MS);
  return {
    ...(crash > 0
      ? {
          onStarted: () =>
            void setTimeout(() => {
              throw new Error('injected by KUBEFWD_TEST_THROW_AFTER_MS');
            }, crash),
        }
      : {}),
    ...(writeDelay > 0 ? { hostsWriteDelayMs: writeDelay } : {}),
    ...(pauseCheck > 0 ? { pauseCheckMs: pauseCheck } : {}),
    ...(slowShutdown > 0
      ? { beforeShutdown: () => new Promise<void>((resolve) => setTimeout(resolve, slowShutdown)) }
      : {}),
  };
};
