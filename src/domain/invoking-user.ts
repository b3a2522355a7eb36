// Who really runs kubefwd. Under `sudo` the process is root, but the kubeconfig, the exec plugins'
// caches and the files kubefwd writes into the home (hosts backup, API key file) belong to the user
// who typed the command (SUDO_USER/SUDO_UID/SUDO_GID), or they become root-owned (kubefwd#285).
// One shape for both readers: os/privilege.ts (file ownership) and kube/invoking-user.ts (whose
// kubeconfig and plugin environment; kube/ may not import os/).

export interface InvokingUser {
  /** uid/gid to give files written under `home`; undefined when not under sudo (keep the process's). */
  uid: number | undefined;
  gid: number | undefined;
  name: string | undefined;
  home: string;
  /** True when root was reached through sudo from another user. */
  sudo: boolean;
}

/** The user behind `sudo`: ids and name known. */
export type SudoUser = InvokingUser & { uid: number; gid: number; name: string; sudo: true };
