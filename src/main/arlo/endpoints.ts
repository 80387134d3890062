// Where the Arlo cloud lives. Read once, here: tests point the commands at the simulated cloud
// with ARLO_API_URL / ARLO_AUTH_URL (README, "Headless use"); the demo passes its own instead.

export interface ArloEndpoints {
  /** The API host (PROTOCOL.md §2). */
  apiUrl: string;
  /** The sign-in host (PROTOCOL.md §3). */
  authUrl: string;
}

export const DEFAULT_ENDPOINTS: ArloEndpoints = {
  apiUrl: 'https://myapi.arlo.com',
  authUrl: 'https://ocapi-app.arlo.com',
};

export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): ArloEndpoints {
  return {
    apiUrl: trimSlash(env.ARLO_API_URL || DEFAULT_ENDPOINTS.apiUrl),
    authUrl: trimSlash(env.ARLO_AUTH_URL || DEFAULT_ENDPOINTS.authUrl),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
