/**
 * Who may act in the console. Without an operator token (CONSOLE_OPERATOR_TOKEN) the console is read-only: every
 * action is refused. With one, an action needs either a session from the login form (an httpOnly, SameSite=Strict
 * cookie holding a random session id — never the token) or an `Authorization: Bearer <token>` header (scripts).
 *
 * The token is compared in constant time (`crypto.timingSafeEqual` over SHA-256 digests, so inputs of any length
 * compare in the same time); it is never logged, stored or rendered.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The session cookie's name. */
export const SESSION_COOKIE = 'bcsync_console_session';
/** How long a login lasts. (Default: 8 hours) */
const SESSION_MS = 8 * 3600_000;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** One cookie of a `Cookie` header, or undefined. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class OperatorAuth {
  private readonly tokenDigest?: Buffer;
  private readonly sessions = new Map<string, number>();

  /** `token`: the operator token, or undefined for a read-only console. */
  constructor(token: string | undefined) {
    this.tokenDigest = token === undefined ? undefined : digest(token);
  }

  /** Whether actions can be unlocked at all (an operator token is configured). */
  get enabled(): boolean {
    return this.tokenDigest !== undefined;
  }

  /** Whether `candidate` is the operator token (constant time; always false in read-only mode). */
  matches(candidate: string): boolean {
    if (!this.tokenDigest) return false;
    return timingSafeEqual(digest(candidate), this.tokenDigest);
  }

  /** Starts a session and sets its cookie on `reply`. */
  startSession(request: FastifyRequest, reply: FastifyReply): void {
    const id = randomBytes(32).toString('base64url');
    const now = Date.now();
    for (const [sid, expires] of this.sessions) if (expires <= now) this.sessions.delete(sid);
    this.sessions.set(id, now + SESSION_MS);
    const secure = request.protocol === 'https' ? '; Secure' : '';
    void reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${secure}`,
    );
  }

  /** Ends the request's session (if any) and clears its cookie. */
  endSession(request: FastifyRequest, reply: FastifyReply): void {
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (id) this.sessions.delete(id);
    void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
  }

  /**
   * Whether the request may act: a valid bearer token, or a live session cookie on a request that comes from the
   * console's own pages (the browser's `Origin`/`Sec-Fetch-Site` say so; SameSite=Strict keeps the cookie off
   * cross-site requests anyway).
   */
  isOperator(request: FastifyRequest): boolean {
    if (!this.enabled) return false;
    const auth = request.headers.authorization;
    if (auth?.startsWith('Bearer ')) return this.matches(auth.slice('Bearer '.length).trim());
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (!id) return false;
    const expires = this.sessions.get(id);
    if (expires === undefined || expires <= Date.now()) return false;
    return request.method === 'GET' || sameOrigin(request);
  }
}

/** Whether a state-changing request was sent by a page of this server (not a cross-site form). */
function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  // A browser sends `Origin: null` where a referrer policy hides the origin: then only Sec-Fetch-Site can vouch.
  if (origin === 'null') return site === 'same-origin';
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
