// The dashboard's login link: minted with the API key (`kubefwd open`, the banner), redeemed once by
// a browser at /login for a session cookie.
import { z } from 'zod';

export const DashboardLinkResponse = z
  .object({
    /** Open this in a browser; it works once, until `expiresAt`. */
    url: z.string(),
    /** RFC3339. */
    expiresAt: z.string(),
  })
  .meta({ id: 'DashboardLinkResponse' });
export type DashboardLinkResponse = z.infer<typeof DashboardLinkResponse>;

/** Where the browser trades the token for a session cookie. */
export const DASHBOARD_LOGIN_PATH = '/login';
/** The dashboard's static files. */
export const DASHBOARD_ASSETS_PATH = '/assets';
export const DASHBOARD_LINK_PATH = '/api/v1/dashboard/link';
