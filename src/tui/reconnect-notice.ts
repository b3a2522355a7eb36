// What the TUI says when it reconnects one service, from the list (R) and the detail view (r)
// alike. A reconnect closes the service's open connections (an open psql session is lost), where
// a sync (u) keeps them: the notice says so, as the help does.
export const reconnectingNotice = (serviceKey: string): string =>
  `Reconnecting ${serviceKey}, closing its open connections...`;
