/**
 * Push mode to an https:// origin: GPAC's push line against the recording origin (push-sink.ts) in
 * HTTPS mode, with a private CA made with openssl in a temporary folder. Trusted through Node's
 * NODE_EXTRA_CA_CERTS or GPAC's -ca-bundle: chunked uploads over TLS, the origin ends with exactly
 * the local copy. Not trusted, a certificate for another name, TLS to a plain HTTP origin: one clear
 * error naming the URL and the TLS reason, exit 1, at once (not retried: it cannot succeed).
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tlsFailure } from '../../filters/httpout/push.js';
import { describe, graphpac } from '../dasher/helpers/cli.js';
import type { CliResult } from '../dasher/helpers/cli.js';
import { WorkRoot } from '../dasher/helpers/workdir.js';
import { checkStoreEqualsLocal, pushLine, pushSink, streamedSegments } from './push-sink.js';

const work = new WorkRoot('httpout-push-https');
test.after.always(() => work.cleanup());

interface Pki {
  dir: string;
  /** The private CA (PEM), what a client must trust. */
  ca: string;
  /** A certificate for IP 127.0.0.1 signed by the CA, and its key. */
  good: { cert: Buffer; key: Buffer };
  /** A certificate for origin.invalid signed by the same CA (host name mismatch on 127.0.0.1). */
  otherName: { cert: Buffer; key: Buffer };
}

let pki: Promise<Pki> | undefined;

/** A private CA and two server certificates, made once per file with openssl (EC P-256: fast). */
function makePki(): Promise<Pki> {
  pki ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'graphpac-push-pki-'));
    const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ossl(
      ['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=graphpac test CA'].concat([
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
      ]),
    );
    const leaf = async (name: string, san: string) => {
      await writeFile(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
      ossl(['req', ...ec, '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
      ossl(
        ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'].concat(
          ['-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`],
        ),
      );
      return {
        cert: await readFile(join(dir, `${name}.pem`)),
        key: await readFile(join(dir, `${name}.key`)),
      };
    };
    return {
      dir,
      ca: join(dir, 'ca.pem'),
      good: await leaf('good', 'IP:127.0.0.1'),
      otherName: await leaf('other', 'DNS:origin.invalid'),
    };
  })();
  return pki;
}
test.after.always(async () => {
  if (pki) await rm((await pki).dir, { recursive: true, force: true });
});

/** No trust from the environment of the test runner leaks into the child. */
const NO_EXTRA_CA = { NODE_EXTRA_CA_CERTS: undefined };

/** Exactly one error line, naming an upload URL of this origin and matching `why`; exit 1, soon. */
function checkOneTlsError(t: ExecutionContext, res: CliResult, port: number, why: RegExp): void {
  t.is(res.code, 1, describe(res));
  const lines = res.stderr.split('\n').filter((l) => /push to /.test(l));
  t.is(lines.length, 1, res.stderr);
  t.regex(lines[0] ?? '', new RegExp(`push to https://127\\.0\\.0\\.1:${port}/\\S+ failed: TLS: `));
  t.regex(lines[0] ?? '', why);
  // Not retried: a certificate refused now is refused in 10 s.
  t.notRegex(res.stderr, /retried for/);
}

test.serial(
  'private CA trusted with NODE_EXTRA_CA_CERTS: chunked uploads over TLS, the origin ends with the local copy',
  async (t) => {
    const { ca, good } = await makePki();
    const cwd = await work.workDir(['source1', 'source2']);
    const sink = await pushSink({ tls: good });
    t.teardown(() => sink.close());
    const res = await graphpac(pushLine(sink.port, ':rdirs=local', 5000, { scheme: 'https' }), {
      cwd,
      timeoutMs: 40_000,
      env: { NODE_EXTRA_CA_CERTS: ca },
    });
    t.is(res.code, 0, describe(res));
    t.deepEqual(sink.tlsErrors, []);
    const segs = sink.requests.filter((r) => /_dash\d+\.m4s$/.test(r.path) && r.method === 'PUT');
    t.true(segs.length >= 6, `${segs.length} segment uploads`);
    for (const s of segs) t.is(s.headers['transfer-encoding'], 'chunked', s.path);
    // Streamed as produced: for most segments, a playlist listing one of its parts was accepted before
    // the segment's upload ended (tolerant: a loaded machine releases parts together now and then).
    const { streamed, all } = streamedSegments(sink);
    t.true(streamed.length >= Math.ceil(all.length / 2), `progressive: ${streamed.length} of ${all.length}`);
    // Playlists whole, re-sent; keep-alive TLS connections.
    t.true(sink.requests.filter((r) => r.path === '/live_1.m3u8').length >= 5);
    const socks = new Set(sink.requests.map((r) => r.socket));
    t.true(
      socks.size <= 16 && socks.size * 4 < sink.requests.length,
      `${socks.size} connections, ${sink.requests.length} requests`,
    );
    await checkStoreEqualsLocal(t, sink, join(cwd, 'local'));
  },
);

test.serial("GPAC's -ca-bundle=FILE: the same trust without the environment variable", async (t) => {
  const { ca, good } = await makePki();
  const cwd = await work.workDir(['source1', 'source2']);
  const sink = await pushSink({ tls: good });
  t.teardown(() => sink.close());
  const res = await graphpac(
    pushLine(sink.port, ':rdirs=local', 2500, { scheme: 'https', extra: [`-ca-bundle=${ca}`] }),
    {
      cwd,
      timeoutMs: 30_000,
      env: NO_EXTRA_CA,
    },
  );
  t.is(res.code, 0, describe(res));
  t.deepEqual(sink.tlsErrors, []);
  t.true(sink.requests.length > 5);
  await checkStoreEqualsLocal(t, sink, join(cwd, 'local'));
});

test.serial(
  'CA not trusted (even with NODE_TLS_REJECT_UNAUTHORIZED=0): one certificate error naming the URL, exit 1 at once; nothing reached the origin',
  async (t) => {
    const { good } = await makePki();
    const cwd = await work.workDir(['source1', 'source2']);
    const sink = await pushSink({ tls: good });
    t.teardown(() => sink.close());
    // Node's global escape hatch does not switch verification off either: the agent asks for it.
    const env = { ...NO_EXTRA_CA, NODE_TLS_REJECT_UNAUTHORIZED: '0' };
    const res = await graphpac(pushLine(sink.port, '', 30_000, { scheme: 'https' }), {
      cwd,
      timeoutMs: 40_000,
      env,
    });
    checkOneTlsError(
      t,
      res,
      sink.port,
      /certificate not trusted: .*UNABLE_TO_VERIFY_LEAF_SIGNATURE.*NODE_EXTRA_CA_CERTS/,
    );
    t.is(sink.requests.length, 0);
    t.true(sink.tlsErrors.length >= 1);
  },
);

test.serial('certificate for another host name: one error naming the mismatch, exit 1 at once', async (t) => {
  const { ca, otherName } = await makePki();
  const cwd = await work.workDir(['source1', 'source2']);
  const sink = await pushSink({ tls: otherName });
  t.teardown(() => sink.close());
  const res = await graphpac(pushLine(sink.port, '', 30_000, { scheme: 'https' }), {
    cwd,
    timeoutMs: 40_000,
    env: { NODE_EXTRA_CA_CERTS: ca },
  });
  checkOneTlsError(t, res, sink.port, /certificate rejected: .*127\.0\.0\.1.*ERR_TLS_CERT_ALTNAME_INVALID/);
  t.is(sink.requests.length, 0);
});

test.serial('https:// to a plain HTTP origin: one TLS error, exit 1 at once', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const sink = await pushSink();
  t.teardown(() => sink.close());
  const res = await graphpac(pushLine(sink.port, '', 30_000, { scheme: 'https' }), {
    cwd,
    timeoutMs: 40_000,
    env: NO_EXTRA_CA,
  });
  checkOneTlsError(t, res, sink.port, /failed: TLS: wrong version number \(EPROTO\)$/);
});

test.serial('-ca-bundle naming a missing or non-PEM file: an error naming the option, exit 1', async (t) => {
  const cwd = await work.workDir(['source1', 'source2']);
  const res = await graphpac(
    pushLine(9, '', 30_000, { scheme: 'https', extra: ['-ca-bundle', join(cwd, 'nope.pem')] }),
    {
      cwd,
      timeoutMs: 30_000,
    },
  );
  t.is(res.code, 1, describe(res));
  t.regex(res.stderr, /-ca-bundle=\S*nope\.pem: cannot read the CA bundle \(ENOENT\)/);
  // Not PEM (a DER file, a key): said so, rather than every origin turning out untrusted.
  await writeFile(join(cwd, 'der.crt'), Buffer.from([0x30, 0x82, 0x01, 0x0a]));
  const der = await graphpac(
    pushLine(9, '', 30_000, { scheme: 'https', extra: [`-ca-bundle=${join(cwd, 'der.crt')}`] }),
    {
      cwd,
      timeoutMs: 30_000,
    },
  );
  t.is(der.code, 1, describe(der));
  t.regex(der.stderr, /-ca-bundle=\S*der\.crt: no PEM certificate in the CA bundle/);
});

test('which failures are retried: connection errors yes, certificate and TLS protocol errors no', (t) => {
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });
  for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ERR_TLS_HANDSHAKE_TIMEOUT'])
    t.is(tlsFailure(err(code)), undefined, code);
  for (const code of [
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  ])
    t.regex(
      tlsFailure(err(code)) ?? '',
      /^TLS: certificate not trusted: .*NODE_EXTRA_CA_CERTS=FILE or -ca-bundle=FILE/,
      code,
    );
  for (const code of ['CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_REVOKED'])
    t.regex(tlsFailure(err(code)) ?? '', /^TLS: certificate rejected: /, code);
  for (const code of [
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  ])
    t.regex(tlsFailure(err(code)) ?? '', new RegExp(`^TLS: .*\\(${code}\\)`), code);
  // OpenSSL's error string on the socket: its reason.
  const eproto =
    'write EPROTO 80DC:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:ssl3_record.c:350:\n';
  t.is(tlsFailure(err('EPROTO', eproto)), 'TLS: wrong version number (EPROTO)');
  t.is(tlsFailure(err('EPROTO', 'read EPROTO')), undefined);
});
