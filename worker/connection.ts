/** Temporal connection options from config: address, namespace, API key and TLS (Temporal Cloud or self-hosted). */
import { readFileSync } from 'node:fs';
import type { TemporalConfig } from '../config';

export interface TemporalConnectionOptions {
  address: string;
  apiKey?: string;
  tls?:
    | false
    | {
        serverNameOverride?: string;
        serverRootCACertificate?: Buffer;
        clientCertPair?: { crt: Buffer; key: Buffer };
      };
}

/**
 * The connection options for the configured cluster, or for the embedded dev server at 127.0.0.1:<dev port> when
 * no address is configured. Reads certificate files named by the TLS settings (throws naming the file if missing).
 */
export function temporalConnectionOptions(t: TemporalConfig): TemporalConnectionOptions {
  const read = (variable: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`${variable}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  return {
    address: t.address ?? `127.0.0.1:${t.devServer.port}`,
    apiKey: t.apiKey,
    tls: t.tls
      ? {
          serverNameOverride: t.tls.serverName,
          serverRootCACertificate: t.tls.caPath ? read('TEMPORAL_TLS_CA_PATH', t.tls.caPath) : undefined,
          clientCertPair:
            t.tls.certPath && t.tls.keyPath
              ? {
                  crt: read('TEMPORAL_TLS_CERT_PATH', t.tls.certPath),
                  key: read('TEMPORAL_TLS_KEY_PATH', t.tls.keyPath),
                }
              : undefined,
        }
      : false,
  };
}
