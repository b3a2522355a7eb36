// Who is on the other end of the helper's Unix socket. The socket file itself is mode 0600 and
// owned by the allowed user, so the kernel lets no one else connect; as a second check that does
// not depend on the platform honouring socket permissions, the peer must prove its uid: the helper
// sends a random challenge, the peer writes it into a file it creates, and the helper checks that
// file's owner (only root can create a file owned by someone else). The file is opened without
// following links and read only when it is a small regular file, so naming /dev/zero or another
// user's file gains nothing.
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { KubefwdError } from '../contract/errors.js';

const MAX_PROOF_BYTES = 256;

const refuse = (message: string): KubefwdError =>
  new KubefwdError('HELPER_REFUSED', `file: ${message}`, { field: 'file' });

/** The uid that owns `file` when it holds exactly `challenge`; refuses otherwise. */
export const proofOwner = async (file: string, challenge: string): Promise<number> => {
  if (!isAbsolute(file) || file.includes('\0')) throw refuse('must be an absolute path');
  const before = await lstat(file).catch(() => undefined);
  if (!before?.isFile() || before.size > MAX_PROOF_BYTES) throw refuse(`${file} is not a small regular file`);
  const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    () => undefined,
  );
  if (!fh) throw refuse(`${file} cannot be opened`);
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.ino !== before.ino || st.dev !== before.dev)
      throw refuse(`${file} changed while it was checked`);
    const buf = Buffer.alloc(MAX_PROOF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, MAX_PROOF_BYTES, 0);
    if (buf.subarray(0, bytesRead).toString('utf8').trim() !== challenge)
      throw refuse(`${file} does not hold the challenge`);
    return st.uid;
  } finally {
    await fh.close();
  }
};
