/**
 * How push requests reach the origin: node:http for http://, node:https for https:// (one keep-alive
 * agent, PUSH_POOL connections), and which TLS failures are lasting (not retried). Certificates are
 * always verified against Node's CA store, NODE_EXTRA_CA_CERTS and GPAC's `-ca-bundle` file.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { ClientRequest, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { GraphError } from '../../src/index.js';

/** Connections kept to the origin (segments of every representation, part files, manifests). */
export const PUSH_POOL = 16;

/** How requests reach the origin: node:http or node:https, same pool, same everything else. */
export interface Transport {
  agent: Agent;
  request: (url: string, options: RequestOptions) => ClientRequest;
}

export function transport(o: { origin: string; caBundle?: string | null | undefined }): Transport {
  const pool = { keepAlive: true, maxSockets: PUSH_POOL, maxFreeSockets: PUSH_POOL };
  if (!o.origin.startsWith('https:')) return { agent: new Agent(pool), request };
  // Certificates are always verified. `ca` replaces Node's default list (which NODE_EXTRA_CA_CERTS
  // extends), so with a bundle the list is rebuilt: Node's roots + NODE_EXTRA_CA_CERTS + the bundle.
  const ca =
    o.caBundle === undefined ? undefined : [...rootCertificates, ...extraCa(), readCa(o.caBundle ?? '')];
  return { agent: new HttpsAgent({ ...pool, ca, rejectUnauthorized: true }), request: httpsRequest };
}

function readCa(file: string): string {
  const bad = (why: string) =>
    new GraphError('BAD_OPTION_VALUE', `-ca-bundle=${file}: ${why}`, { option: 'ca-bundle' });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw bad(`cannot read the CA bundle (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  // Node skips what is not PEM without a word: a wrong file would only show as untrusted origins.
  if (!/-----BEGIN (TRUSTED )?CERTIFICATE-----/.test(text)) throw bad('no PEM certificate in the CA bundle');
  return text;
}

/** What Node itself added from NODE_EXTRA_CA_CERTS (it warns about an unreadable file at start-up). */
function extraCa(): string[] {
  const f = process.env.NODE_EXTRA_CA_CERTS;
  if (!f) return [];
  try {
    return [readFileSync(f, 'utf8')];
  } catch {
    return [];
  }
}

/**
 * Node's codes for TLS failures that fail again on every retry: certificate verification (OpenSSL's
 * X509 verify results), the host name not in the certificate, handshake alerts and protocol errors.
 * A handshake timeout or a connection reset are left to the retries.
 */
const TLS_VERIFY = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Verification failures that trusting the origin's CA solves. */
const TLS_UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
]);

/**
 * Why a request error is a lasting TLS failure, or undefined (transient: retried). OpenSSL errors on
 * the socket (a handshake alert, TLS spoken to a plain HTTP server) come as EPROTO with OpenSSL's
 * error string: its reason is kept.
 */
export function tlsFailure(e: NodeJS.ErrnoException): string | undefined {
  const code = e.code ?? '';
  const msg = e.message.trim();
  if (TLS_UNTRUSTED.has(code))
    return `TLS: certificate not trusted: ${msg} (${code}; trust a private CA with NODE_EXTRA_CA_CERTS=FILE or -ca-bundle=FILE)`;
  if (TLS_VERIFY.has(code)) return `TLS: certificate rejected: ${msg} (${code})`;
  if (code.startsWith('ERR_SSL_') || (code.startsWith('ERR_TLS_') && code !== 'ERR_TLS_HANDSHAKE_TIMEOUT'))
    return `TLS: ${msg} (${code})`;
  const openssl = code === 'EPROTO' ? /SSL routines:[^:]*:([^:]+)/.exec(msg) : null;
  if (openssl) return `TLS: ${openssl[1]} (${code})`;
  return undefined;
}
