import { z } from 'zod';
import { ConfigError } from '../../model/errors.ts';
import { HttpError, HttpTransientError } from '../http.ts';

const TokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
});

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

/** Read the app's id and secret from the environment variables the options name; the values never enter config or logs. */
export function credentialsFromEnv(sourceId: string, idEnv: string | undefined, secretEnv: string | undefined, env: NodeJS.ProcessEnv = process.env): AppCredentials | undefined {
  if (!idEnv && !secretEnv) return undefined;
  const missing = [idEnv ? undefined : 'clientIdEnv', secretEnv ? undefined : 'clientSecretEnv'].filter(Boolean) as string[];
  if (missing.length) {
    throw new ConfigError(`source ${sourceId}: Reddit OAuth needs both clientIdEnv and clientSecretEnv`, missing.map((m) => ({ path: `sources.${sourceId}.options.${m}`, message: 'required when the other is set' })));
  }
  const clientId = env[idEnv!];
  const clientSecret = env[secretEnv!];
  const unset = [[idEnv!, clientId], [secretEnv!, clientSecret]].filter(([, v]) => !v).map(([name]) => name!);
  if (unset.length) {
    throw new ConfigError(`source ${sourceId}: environment variable${unset.length > 1 ? 's' : ''} ${unset.join(', ')} not set`, unset.map((name) => ({ path: `sources.${sourceId}.options`, message: `environment variable ${name} is not set` })));
  }
  return { clientId: clientId!, clientSecret: clientSecret! };
}

/**
 * An application-only OAuth token (client credentials grant), fetched once and reused until shortly
 * before it expires. One POST is all this needs, so it does not go through the GET helper.
 */
export function tokenProvider(tokenUrl: string, creds: AppCredentials, userAgent: string, now: () => number = Date.now) {
  let cached: { token: string; until: number } | undefined;
  return async (signal: AbortSignal): Promise<string> => {
    if (cached && cached.until > now()) return cached.token;
    const basic = Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent, accept: 'application/json' },
        body: 'grant_type=client_credentials',
        signal: AbortSignal.any([signal, AbortSignal.timeout(20_000)]),
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new HttpTransientError(`POST ${tokenUrl} failed: ${(err as Error).message}`, tokenUrl, undefined, err);
    }
    const text = await res.text();
    if (res.status >= 500 || res.status === 429) throw new HttpTransientError(`POST ${tokenUrl} answered ${res.status}`, tokenUrl, res.status);
    // 401/403: wrong id or secret; asking again will not help.
    if (!res.ok) throw new HttpError('http_status', `POST ${tokenUrl} answered ${res.status}: the Reddit app id or secret was refused`, tokenUrl, res.status);
    let parsed: z.ZodSafeParseResult<z.infer<typeof TokenAnswer>>;
    try {
      parsed = TokenAnswer.safeParse(JSON.parse(text));
    } catch {
      throw new HttpTransientError(`POST ${tokenUrl} answered JSON that does not parse`, tokenUrl, res.status);
    }
    if (!parsed.success) throw new HttpError('http_status', `POST ${tokenUrl}: no access_token in the answer`, tokenUrl, res.status);
    const lifetime = (parsed.data.expires_in ?? 3600) * 1000;
    cached = { token: parsed.data.access_token, until: now() + Math.max(0, lifetime - 60_000) };
    return cached.token;
  };
}
