import { ValidationError, type ConnectorService } from './errors';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/** True for a canonical GUID string. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** Validates a GUID before it goes into a URL or `$filter` (unquoted literal); throws ValidationError otherwise. */
export function guidLiteral(value: string, service: ConnectorService): string {
  if (!GUID.test(value)) {
    throw new ValidationError({
      service,
      status: 0,
      code: 'InvalidGuid',
      message: `'${String(value).slice(0, 60)}' is not a GUID`,
      retryable: false,
    });
  }
  return value.toLowerCase();
}

/** Validates an ISO-8601 UTC datetime for an unquoted `$filter` literal. */
export function dateTimeLiteral(value: string, service: ConnectorService): string {
  if (!DATETIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ValidationError({
      service,
      status: 0,
      code: 'InvalidDateTime',
      message: `'${String(value).slice(0, 60)}' is not an ISO-8601 datetime`,
      retryable: false,
    });
  }
  return value;
}

/** A quoted OData string literal (`'` doubled). */
export function stringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Joins filter clauses with `and`, parenthesising each; undefined/empty clauses are dropped. */
export function andFilters(...clauses: Array<string | undefined>): string | undefined {
  const parts = clauses.filter((c): c is string => typeof c === 'string' && c.trim() !== '');
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return parts.map((p) => `(${p})`).join(' and ');
}

/** Builds a query string from OData options; values are percent-encoded, `$` names kept readable. */
export function queryString(params: Record<string, string | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    parts.push(`${key}=${encodeURIComponent(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Splits an array into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The OData error body both APIs send, `{ "error": { "code", "message" } }`, or null when the body is not one. */
export function parseODataErrorBody(value: unknown): { code: string; message: string } | null {
  if (!value || typeof value !== 'object') return null;
  const error = (value as { error?: unknown }).error;
  if (!error || typeof error !== 'object') return null;
  const code = (error as { code?: unknown }).code;
  const message = (error as { message?: unknown }).message;
  return { code: typeof code === 'string' ? code : '', message: typeof message === 'string' ? message : '' };
}

/**
 * The `$select` value: `select` plus the `required` fields the connector itself reads (ids, timestamps), each once;
 * undefined (select everything) when `select` is empty or absent.
 */
export function selectWith(select: readonly string[] | undefined, required: readonly string[]): string | undefined {
  return select && select.length ? [...new Set([...required, ...select])].join(',') : undefined;
}
