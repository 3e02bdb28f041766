/**
 * What a CLI command needs, built lazily and closed once: config, logger, store, Temporal client, API connectors.
 * The composition root of operator commands (DESIGN §3).
 */
import { Client, Connection } from '@temporalio/client';
import { type Config, ConfigError, loadConfig } from '../config';
import type { Store } from '../store/database';
import type { Connectors } from '../activities/sides';
import { temporalConnectionOptions } from '../worker/connection';
import { createConnectors } from '../worker/connectors';
import { createLogger, type Logger, secretValues } from '../worker/logger';
import { openConfiguredStore } from '../worker/open-store';
import { CliError, UsageError } from './errors';

/**
 * Parts a long-running host (the worker process serving the console, a test) already holds and lends to the context:
 * they are used instead of being built, and `close()` leaves them open (their owner closes them).
 */
export interface LentParts {
  config?: Config;
  logger?: Logger;
  store?: Store;
  client?: Client;
  connectors?: Connectors;
}

export class CommandContext {
  private _config?: Config;
  private _logger?: Logger;
  private _store?: Store;
  private _connection?: Connection;
  private _client?: Client;
  private _connecting?: Promise<Client>;
  private _connectors?: Connectors;
  private readonly lentStore: boolean;

  /** `lent`: parts to use as they are and never close (Default: none; everything is built from `loadConfig()`). */
  constructor(lent: LentParts = {}) {
    this._config = lent.config;
    this._logger = lent.logger;
    this._store = lent.store;
    this._client = lent.client;
    this._connectors = lent.connectors;
    this.lentStore = lent.store !== undefined;
  }

  get config(): Config {
    if (!this._config) {
      try {
        this._config = loadConfig();
      } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(`bad configuration: ${err.message}`);
        throw err;
      }
    }
    return this._config;
  }

  get logger(): Logger {
    return (this._logger ??= createLogger(this.config.logLevel, {
      format: this.config.logFormat,
      secrets: secretValues(this.config),
    }));
  }

  /**
   * The configured store, as it is: operator commands never create or migrate a database (only `migrate`, `worker`
   * and `npm start` do). Fails (exit 1) naming MYSQL_URL, MYSQL_DEFAULT_URL or DATA_DIR when the database does not
   * exist, and saying to run `bcsync migrate` when its schema is behind.
   */
  async store(): Promise<Store> {
    return (this._store ??= (await openConfiguredStore(this.config, 'existing')).store);
  }

  /**
   * A Temporal client for the configured cluster (or the embedded dev server's address). Connects once: concurrent
   * first calls (console requests) share one connection.
   */
  async temporal(): Promise<Client> {
    if (this._client) return this._client;
    this._connecting ??= this.connect();
    return (this._client = await this._connecting);
  }

  private async connect(): Promise<Client> {
    const options = temporalConnectionOptions(this.config.temporal);
    try {
      this._connection = await Connection.connect({ ...options, connectTimeout: 5000 });
    } catch (err) {
      this._connecting = undefined;
      throw new CliError(
        `cannot reach Temporal at ${options.address} (${(err as Error).message}); is 'npm start' or the cluster running? (TEMPORAL_ADDRESS)`,
      );
    }
    return new Client({ connection: this._connection, namespace: this.config.temporal.namespace });
  }

  /** The Business Central and Dataverse connectors the worker uses, from the same config (no I/O until called). */
  get connectors(): Connectors {
    return (this._connectors ??= createConnectors(this.config, this.logger));
  }

  /**
   * The Temporal UI link of a workflow run: the UI of the embedded dev server, on localhost at `TEMPORAL_UI_PORT`.
   * Against another Temporal cluster the link still points there (no setting names that cluster's UI).
   */
  workflowUrl(workflowId: string, runId?: string): string {
    const ui = `http://localhost:${this.config.temporal.devServer.uiPort}`;
    return `${ui}/namespaces/${encodeURIComponent(this.config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${runId}` : ''}`;
  }

  /** Closes what this context opened itself (the Temporal connection and the store), never a lent part. */
  async close(): Promise<void> {
    await this._connection?.close();
    if (!this.lentStore) await this._store?.close();
  }
}
