/**
 * The company a Business Central client works in: every entity URL is `companies({id})/…`. The id comes from the
 * options, or is resolved once through `GET companies` by name (or, without a name, as the environment's only
 * company).
 */
import { NotFoundError, ValidationError } from '../http/errors';
import { valueOf } from '../http/json-body';
import { guidLiteral, queryString, stringLiteral } from '../http/odata';
import { sig } from '../http/util';
import { type BcConnection, type CompanyScope, SERVICE } from './context';
import { type BusinessCentralClientOptions } from './types';

/**
 * The company scope of a connection. `companyId` throws ValidationError when the configured company id is not a GUID
 * (at once) or when no name is configured and the environment does not hold exactly one company, and NotFoundError
 * when no company has the configured name.
 */
export function createCompanyScope(
  connection: BcConnection,
  options: Pick<BusinessCentralClientOptions, 'companyId' | 'companyName'>,
): CompanyScope {
  let companyPromise: Promise<string> | null = options.companyId
    ? Promise.resolve(guidLiteral(options.companyId, SERVICE))
    : null;

  const companyId = (signal?: AbortSignal): Promise<string> => {
    if (!companyPromise) {
      companyPromise = resolveCompany(connection, options.companyName, signal).catch((error: unknown) => {
        companyPromise = null;
        throw error;
      });
    }
    return companyPromise;
  };

  return {
    companyId,
    collectionUrl: async (set, signal) => `${connection.rootOf(set)}/companies(${await companyId(signal)})/${set}`,
  };
}

/** The company named `name`, or — without a name — the environment's only company. */
async function resolveCompany(
  connection: BcConnection,
  name: string | undefined,
  signal?: AbortSignal,
): Promise<string> {
  const { environment, core } = connection;
  const query = name ? { $filter: `name eq ${stringLiteral(name)}`, $select: 'id,name' } : { $select: 'id,name' };
  const body = await connection.reader.getJson(
    `${connection.standardRoot}/companies${queryString(query)}`,
    'GET companies',
    sig(signal),
  );
  const value = valueOf<{ id: string; name: string }>(body, 'business-central', 'GET companies');
  if (!name) {
    if (value.length === 1) {
      core.log.info({ companyId: value[0].id }, 'resolved the only Business Central company');
      return value[0].id;
    }
    throw new ValidationError({
      service: SERVICE,
      status: 0,
      code: 'MissingCompany',
      message: `Business Central environment '${environment}' has ${value.length} companies (${value
        .map((c) => `'${c.name}'`)
        .join(', ')}); choose one with companyId or companyName (BC_COMPANY_ID / BC_COMPANY_NAME)`,
      retryable: false,
    });
  }
  const match = value.find((c) => c.name === name);
  if (!match) {
    throw new NotFoundError({
      service: SERVICE,
      status: 404,
      code: 'Internal_CompanyNotFound',
      message: `Business Central has no company named '${name}' in environment '${environment}'`,
      retryable: false,
    });
  }
  core.log.info({ companyId: match.id }, 'resolved Business Central company');
  return match.id;
}
