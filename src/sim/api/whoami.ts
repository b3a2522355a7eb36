// SelfSubjectReview (`kubectl auth whoami`): who the API server takes the client for. The token
// and the client certificate of the simulated cluster are one user (CN sim-admin, O system:masters).
import { SIM_USER } from './auth.js';

export const whoAmI = (): unknown => ({
  kind: 'SelfSubjectReview',
  apiVersion: 'authentication.k8s.io/v1',
  metadata: { creationTimestamp: null },
  status: { userInfo: { username: SIM_USER, groups: ['system:masters', 'system:authenticated'] } },
});
