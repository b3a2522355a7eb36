// For "kubefwd is not running": a kubefwd whose block is in the system hosts file and whose process
// runs was started without its REST API, and the clients (tui, open, mcp) should say that instead.
// Loaded only when there is no discovery file, to keep `kubefwd mcp` starting light.
export const runningWithoutApi = async (): Promise<number | undefined> => {
  const [{ runningKubefwdPid }, { defaultHostsPath }] = await Promise.all([
    import('../daemon/stale-blocks.js'),
    import('../daemon/config.js'),
  ]);
  return runningKubefwdPid(defaultHostsPath());
};
