/**
 * The headers every response of the web routes carries, files and answers alike, and the page's
 * JSON answer with them.
 */
import type { ServerResponse } from 'node:http';
import { sendJson as sendApiJson } from '../http/http-json.ts';

/**
 * The page loads only its own files (no inline script or style, nothing from elsewhere), may not be
 * framed (a keypad that opens a door must not sit invisibly under another site's button:
 * clickjacking), and sends no Referer.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "font-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** The API's JSON answer, with the page's security headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  sendApiJson(res, status, body, { ...SECURITY_HEADERS, ...headers });
}
