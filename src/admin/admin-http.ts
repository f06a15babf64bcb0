import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SafeHtml } from './html';

/** The Content-Security-Policy every admin response carries: no inline script or style anywhere. */
export const ADMIN_CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Largest form body accepted, in bytes. */
export const MAX_FORM_BYTES = 16 * 1024;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': ADMIN_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/**
 * Sends a complete response with the security headers.
 *
 * @example
 * ```ts
 * sendHtml(res, 200, page)
 * ```
 */
export function sendHtml(
  res: ServerResponse,
  status: number,
  body: SafeHtml,
  headers: Record<string, string> = {},
): void {
  send(res, status, 'text/html; charset=utf-8', body.value, headers);
}

/** Sends `body` of `contentType` with the security headers. */
export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries({ ...SECURITY_HEADERS, ...headers })) res.setHeader(name, value);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * Answers a POST with `303 See Other`, so the browser GETs `location` and a refresh never re-posts.
 *
 * @example
 * ```ts
 * redirect(res, '/synchro/runs/42')
 * ```
 */
export function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  res.setHeader('Location', location);
  res.setHeader('Content-Length', 0);
  res.end();
}

/**
 * The cookies of a request.
 *
 * @example
 * ```ts
 * cookiesOf(req).get('synchro_csrf')
 * ```
 */
export function cookiesOf(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), safeDecode(part.slice(eq + 1).trim()));
  }
  return cookies;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Reads an `application/x-www-form-urlencoded` body, or takes the one a framework already parsed
 * (`req.body`); other content types yield an empty form. Larger bodies than {@link MAX_FORM_BYTES}
 * are refused with an error.
 *
 * @example
 * ```ts
 * const form = await readForm(req)
 * form.get('csrf')
 * ```
 */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  // body-parser sets `{}` without reading bodies of other types: then the stream is still ours.
  if (parsed !== null && typeof parsed === 'object' && Object.keys(parsed).length > 0) return formOf(parsed);
  if (typeof parsed === 'string') return new URLSearchParams(parsed);
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
    return new URLSearchParams();
  return new URLSearchParams(await readBody(req));
}

function formOf(parsed: object): URLSearchParams {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(parsed)) if (typeof value === 'string') form.set(name, value);
  return form;
}

async function readBody(req: IncomingMessage): Promise<string> {
  if (req.readableEnded) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('form body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The part of the request path under `basePath` (`'/'` for the base itself), or `undefined` when the
 * request is not for the admin page. Uses `originalUrl` when a framework rewrote `url` for a mount.
 *
 * @example
 * ```ts
 * subPathOf({ url: '/synchro/runs/1?x' } as IncomingMessage, '/synchro') // '/runs/1'
 * ```
 */
export function subPathOf(
  req: IncomingMessage,
  basePath: string,
): { path: string; query: URLSearchParams } | undefined {
  const raw = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const url = new URL(raw, 'http://admin.invalid');
  const path = url.pathname;
  if (path !== basePath && !path.startsWith(`${basePath}/`)) return undefined;
  const rest = path.slice(basePath.length);
  return { path: rest === '' ? '/' : rest, query: url.searchParams };
}
