/**
 * Concurrent HTTP clients in a process of their own, so that the load they put on a
 * bench's server is sent over real sockets and their own CPU is not counted as the
 * server's. The parent (`postConcurrently`) forks this module, sends it the bodies to
 * POST, and gets back each request's latency. Client k sends bodies k, k + clients, …,
 * one at a time on its own keep-alive connection, from its own loopback address when
 * `sourceAddresses` names them (a login throttle counts per client address); a response
 * that is not 200 or whose text lacks `expect` fails the run, so a broken request cannot
 * pass for a fast one.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

interface ClientsJob {
  url: string;
  clients: number;
  bodies: string[];
  headers: Record<string, string>;
  /** A substring every answer's text must contain. */
  expect: string;
  /** Client k connects from sourceAddresses[k] (loopback addresses, e.g. 127.0.0.10). */
  sourceAddresses?: string[];
}

export interface ClientsResult {
  /** Wall time from the first request sent to the last answer read. */
  seconds: number;
  /** Each request's latency in ms, in the order they completed. */
  latenciesMs: number[];
}

type ClientsReply = ({ ok: true } & ClientsResult) | { ok: false; message: string };

/** POSTs every body to `url` from `clients` concurrent connections in a child process. */
export async function postConcurrently(job: ClientsJob): Promise<ClientsResult> {
  const child = fork(fileURLToPath(import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const reply = await new Promise<ClientsReply>((resolve, reject) => {
      child.once('message', (message) => resolve(message as ClientsReply));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`http-clients exited with ${code} before answering`)));
      child.send(job);
    });
    if (!reply.ok) throw new Error(`http-clients: ${reply.message}`);
    return reply;
  } finally {
    child.kill();
  }
}

function post(url: URL, agent: Agent, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

async function runClients(job: ClientsJob): Promise<ClientsResult> {
  const url = new URL(job.url);
  const agents = Array.from(
    { length: job.clients },
    (_, client) => new Agent({ keepAlive: true, maxSockets: 1, ...(job.sourceAddresses ? { localAddress: job.sourceAddresses[client]! } : {}) }),
  );
  const latenciesMs: number[] = [];
  const started = performance.now();
  try {
    await Promise.all(
      agents.map(async (agent, client) => {
        for (let index = client; index < job.bodies.length; index += job.clients) {
          const sent = performance.now();
          const { status, text } = await post(url, agent, job.headers, job.bodies[index]!);
          latenciesMs.push(performance.now() - sent);
          if (status !== 200 || !text.includes(job.expect)) throw new Error(`request ${index} answered ${status}: ${text.slice(0, 300)}`);
        }
      }),
    );
    return { seconds: (performance.now() - started) / 1000, latenciesMs };
  } finally {
    for (const agent of agents) agent.destroy();
  }
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (job) => {
    runClients(job as ClientsJob).then(
      (result) => process.send!({ ok: true, ...result } satisfies ClientsReply, () => process.exit(0)),
      (error: unknown) => process.send!({ ok: false, message: String((error as Error).message ?? error) } satisfies ClientsReply, () => process.exit(1)),
    );
  });
}
