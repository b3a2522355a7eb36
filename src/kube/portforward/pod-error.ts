// What the kubelet writes on a port-forward error stream/channel, as a KubefwdError. Released
// kubelets write plain text ("error forwarding port 80 to pod …, uid …: … connection refused");
// an unreleased branch writes {"closeConnection":bool,"message":"…"}; both are accepted.
import { KubefwdError } from '../../contract/errors.js';

export function podStreamError(text: string, pod: string, port: number): KubefwdError {
  let message = text.trim();
  try {
    const v = JSON.parse(message) as unknown;
    if (typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string')
      message = (v as { message: string }).message.trim();
  } catch {
    // plain text, the usual case
  }
  if (message === '') message = `port-forward to pod ${pod} port ${port} failed`;
  const refused = /connection refused|ECONNREFUSED/i.test(message);
  return new KubefwdError(refused ? 'CONNECTION_REFUSED' : 'STREAM_ERROR', message, {
    ...(refused
      ? { hint: `Nothing listens on port ${port} in pod ${pod}; check readiness and the container port.` }
      : {}),
  });
}
