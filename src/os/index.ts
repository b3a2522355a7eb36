// Adapters for the machine: hosts file, loopback aliases, listeners, privilege.
export { createHostsFile, decodeExact, type HostsFile, type HostsFileOptions } from './hosts-file.js';
export { removeDiscoveryFile, writeDiscoveryFile, type WriteDiscoveryOptions } from './discovery-file.js';
export { writeHomeFile, removeHomeFile, lstatHomeFile, type FileOwner } from './user-file.js';
export { backupFileName, backupHostsFile, type BackupOptions, type BackupResult } from './hosts-backup.js';
export { createFileLock, type FileLock, type FileLockOptions } from './file-lock.js';
export { processAlive, processStartTime } from './process-alive.js';
export { writeFileAtomic, writeInPlace, type WriteMode } from './atomic-write.js';
export { createListeners, type Listeners, type LocalListener } from './listener.js';
export { createLoopback, needsAlias, execCommand, type Exec, type Loopback } from './loopback.js';
export {
  invokingUser,
  invokingUserFrom,
  isRoot,
  isRootUid,
  type InvokingUser,
  type ProcessIdentity,
} from './privilege.js';
export { watchMachine, type MachineWatch, type MachineWatchOptions } from './machine-watch.js';
